// An evaluation report drawn for its task.

import { useMemo } from 'react';

import { useModules } from '../api/modules';
import type { PipelineDocument } from '../api/types';
import { BinaryReport } from './BinaryReport';
import { ClusteringReport } from './ClusteringReport';
import { modelNames, moduleTitle } from './modelNames';
import { MulticlassReport } from './MulticlassReport';
import { RegressionReport } from './RegressionReport';
import type { EvaluationReport } from './report';

import './vis.css';

interface EvaluationViewProps {
  report: EvaluationReport;
  /** The run's pipeline and the evaluating node, to name the models. */
  pipeline?: PipelineDocument | null;
  node?: string;
}

export function EvaluationView({ report, pipeline, node }: EvaluationViewProps) {
  const inputs = useMemo(() => report.models.map((m) => m.input), [report]);
  const modules = useModules();
  const names = useMemo(() => {
    const titles = new Map((modules ?? []).map((m) => [m.id, m.display_name]));
    return modelNames(pipeline, node ?? '', inputs, (id) => titles.get(id) ?? moduleTitle(id));
  }, [pipeline, node, inputs, modules]);
  switch (report.task) {
    case 'binary':
      return <BinaryReport report={report} names={names} />;
    case 'regression':
      return <RegressionReport report={report} names={names} />;
    case 'multiclass':
      return <MulticlassReport report={report} names={names} />;
    case 'clustering':
      return <ClusteringReport report={report} names={names} />;
  }
}

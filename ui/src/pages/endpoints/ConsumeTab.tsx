// An endpoint's Consume tab: the URL and keys a client needs, then
// ready-to-run programs in five languages, with the endpoint's real URL, an
// example row and (when this tab knows one) a key. A program copied from
// here runs as it is.

import { useState } from 'react';

import type { EndpointDetail } from '../../api/production';
import { CopyButton } from '../../components/CopyButton';
import { Link } from '../../router';
import { useKnownKeys, type KeyName } from './keys';
import { codeSample, KEY_VARIABLE, SAMPLE_LANGUAGES, type SampleLanguage } from './samples';
import { absolute } from './StateBadge';
import type { ExampleRow } from './useExampleRow';

type KeyChoice = KeyName | 'environment';

export function ConsumeTab({ endpoint: e, example }: { endpoint: EndpointDetail; example: ExampleRow | null }) {
  const keys = useKnownKeys(e.name);
  const [language, setLanguage] = useState<SampleLanguage>('curl');
  const [choice, setChoice] = useState<KeyChoice | null>(null);
  const known: KeyName[] = (['primary', 'secondary'] as const).filter((k) => keys[k]);
  const which: KeyChoice = choice ?? known[0] ?? 'environment';
  const key = which === 'environment' ? null : (keys[which] ?? null);
  const url = absolute(e.urls.score);
  const lang = SAMPLE_LANGUAGES.find((l) => l.id === language)!;
  const code = codeSample(language, { url, key, rows: example ? [example.row] : [] });

  return (
    <div className="consume">
      <section className="card" aria-labelledby="basic-title">
        <h2 id="basic-title" className="card-title">
          Basic consumption info
        </h2>
        <dl className="urls">
          <div className="url-row">
            <dt>REST endpoint</dt>
            <dd>
              <code className="url">{url}</code>
              <CopyButton text={url} what="REST endpoint" />
            </dd>
          </div>
          <div className="url-row">
            <dt>Authentication</dt>
            <dd>
              <code>Authorization: Bearer &lt;key&gt;</code>
              <div className="muted small">
                Either key works. {known.length === 0 ? 'This browser tab has not seen the keys: ' : ''}
                <Link to={`/endpoints/${encodeURIComponent(e.name)}?tab=keys`}>{known.length === 0 ? 'regenerate one in Keys' : 'Manage the keys'}</Link>
                {known.length === 0 ? `, or set ${KEY_VARIABLE} and the samples read it.` : '.'}
              </div>
            </dd>
          </div>
        </dl>
      </section>

      <section className="card" aria-labelledby="samples-title">
        <h2 id="samples-title" className="card-title">
          Consumption samples
          <label className="inline-choice">
            <span className="muted small">Key in the samples</span>
            <select value={which} onChange={(ev) => setChoice(ev.target.value as KeyChoice)} aria-label="Key in the samples">
              <option value="primary" disabled={!keys.primary}>
                Primary key{keys.primary ? '' : ' (unknown here)'}
              </option>
              <option value="secondary" disabled={!keys.secondary}>
                Secondary key{keys.secondary ? '' : ' (unknown here)'}
              </option>
              <option value="environment">${KEY_VARIABLE}</option>
            </select>
          </label>
        </h2>
        <div className="tabs code-tabs" role="tablist" aria-label="Language">
          {SAMPLE_LANGUAGES.map((l) => (
            <button key={l.id} type="button" role="tab" aria-selected={l.id === language} onClick={() => setLanguage(l.id)}>
              {l.label}
            </button>
          ))}
        </div>
        <div className="code-block" role="tabpanel" aria-label={`${lang.label} sample`}>
          <div className="code-head">
            <span className="muted small">
              Save as <code>{lang.file}</code>, then run <code>{lang.run}</code>
            </span>
            <CopyButton text={code} what={`${lang.label} sample`} label="Copy code" />
          </div>
          <pre data-testid="code-sample" data-language={language}>
            {code}
          </pre>
        </div>
        {key !== null ? (
          <p className="muted small">
            The sample carries the {which} key: keep it out of version control, or choose ${KEY_VARIABLE}.
          </p>
        ) : null}
        <p className="muted small">
          The reply is <code>{'{"Results": {"WebServiceOutput0": [rows]}}'}</code>, each row with the input’s columns and the
          model’s scores. {example ? `The example row is ${example.source}.` : ''}
        </p>
      </section>
    </div>
  );
}

// A run's or step's status as a coloured pill with a dot.

const LABELS: Record<string, string> = {
  queued: 'Queued',
  running: 'Running',
  completed: 'Completed',
  reused: 'Reused',
  failed: 'Failed',
  canceled: 'Canceled',
  skipped: 'Skipped',
};

export function StatusBadge({ status, title }: { status: string; title?: string }) {
  return (
    <span className={`status-badge badge-${status}`} data-status={status} title={title}>
      <span className="badge-dot" aria-hidden="true" />
      {LABELS[status] ?? status}
    </span>
  );
}

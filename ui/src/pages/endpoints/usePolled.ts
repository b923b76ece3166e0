// Loads a value, then again every `everyMs` while the page is visible, so
// an endpoint's state and metrics stay current without a reload. A failed
// refresh keeps the last value and reports the error.

import { useCallback, useEffect, useRef, useState } from 'react';

import { errorMessage } from '../../api/client';

export interface Polled<T> {
  data: T | null;
  error: string | null;
  /** The error's HTTP status (404: gone), 0 when the server cannot be reached. */
  status: number | null;
  reload: () => void;
}

export function usePolled<T>(load: (signal: AbortSignal) => Promise<T>, everyMs: number): Polled<T> {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [status, setStatus] = useState<number | null>(null);
  const [tick, setTick] = useState(0);
  const latest = useRef(load);
  latest.current = load;

  useEffect(() => {
    setData(null);
    setError(null);
    setStatus(null);
  }, [load]);

  useEffect(() => {
    const abort = new AbortController();
    let timer: number | undefined;
    const run = () => {
      latest
        .current(abort.signal)
        .then((d) => {
          setData(d);
          setError(null);
          setStatus(null);
        })
        .catch((e: unknown) => {
          if (abort.signal.aborted) return;
          setError(errorMessage(e));
          setStatus((e as { status?: number }).status ?? null);
        })
        .finally(() => {
          if (!abort.signal.aborted && everyMs > 0) timer = window.setTimeout(run, document.hidden ? everyMs * 4 : everyMs);
        });
    };
    run();
    return () => {
      abort.abort();
      window.clearTimeout(timer);
    };
  }, [load, everyMs, tick]);

  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { data, error, status, reload };
}

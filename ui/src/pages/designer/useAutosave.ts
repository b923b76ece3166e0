// Saves the draft shortly after every change, naming the revision the edit
// started from. One save is in flight at a time. When the server answers
// 409 (the draft was saved elsewhere since), nothing is overwritten: the
// user's document stays on the canvas, saving pauses, and the conflict is
// shown with the saved version at hand, to keep either.

import { useCallback, useEffect, useRef, useState } from 'react';

import { ApiError, api, errorMessage } from '../../api/client';
import type { Draft } from '../../api/types';

const DELAY_MS = 500;

export type SaveStatus = 'saved' | 'pending' | 'saving' | 'error' | 'conflict';

export interface Conflict {
  /** The draft as it is saved now. */
  theirs: Draft;
}

/** Saves `documentText` to draft `draftId`; the first text is taken as saved. */
export function useAutosave(draftId: number, initialRevision: number, documentText: string, paused: boolean) {
  const [revision, setRevision] = useState(initialRevision);
  const [status, setStatus] = useState<SaveStatus>('saved');
  const [error, setError] = useState<string | null>(null);
  const [conflict, setConflict] = useState<Conflict | null>(null);
  const saved = useRef<string>(documentText);
  const inFlight = useRef<Promise<void> | null>(null);
  const revisionRef = useRef(initialRevision);
  const latestText = useRef(documentText);
  latestText.current = documentText;
  const conflictRef = useRef<Conflict | null>(null);
  conflictRef.current = conflict;

  const saveNow = useCallback(async (): Promise<void> => {
    if (inFlight.current) await inFlight.current;
    const text = latestText.current;
    if (text === saved.current || conflictRef.current) return;
    const run = (async () => {
      setStatus('saving');
      try {
        const r = await api('PUT /api/pipelines/{id}', {
          params: { id: draftId },
          body: `{"revision":${revisionRef.current},"document":${text}}`,
        });
        saved.current = text;
        revisionRef.current = r.revision;
        setRevision(r.revision);
        setError(null);
        setStatus(latestText.current === text ? 'saved' : 'pending');
      } catch (e) {
        if (e instanceof ApiError && e.status === 409) {
          setStatus('conflict');
          try {
            const theirs = await api('GET /api/pipelines/{id}', { params: { id: draftId } });
            setConflict({ theirs });
          } catch (e2) {
            setError(errorMessage(e2));
          }
        } else {
          setStatus('error');
          setError(errorMessage(e));
        }
      }
    })();
    inFlight.current = run;
    await run;
    inFlight.current = null;
  }, [draftId]);

  useEffect(() => {
    if (paused || conflict || documentText === saved.current) return;
    setStatus((s) => (s === 'saving' ? s : 'pending'));
    const timer = window.setTimeout(() => void saveNow(), DELAY_MS);
    return () => window.clearTimeout(timer);
  }, [documentText, paused, conflict, saveNow, revision]);

  /** Saves at once what is pending; resolves when the server has it. */
  const flush = useCallback(async () => {
    await saveNow();
    if (latestText.current !== saved.current) await saveNow();
    if (conflictRef.current) throw new Error('the draft was changed elsewhere: resolve the conflict first');
    if (latestText.current !== saved.current) throw new Error('the draft could not be saved');
  }, [saveNow]);

  /** Keeps the user's version: it is saved on top of the other one. */
  const keepMine = useCallback(() => {
    if (!conflict) return;
    revisionRef.current = conflict.theirs.revision;
    setRevision(conflict.theirs.revision);
    setConflict(null);
    setStatus('pending');
  }, [conflict]);

  /** Takes the saved version: the caller puts `theirs` on the canvas. */
  const takeTheirs = useCallback((): Draft | null => {
    if (!conflict) return null;
    const { theirs } = conflict;
    revisionRef.current = theirs.revision;
    setRevision(theirs.revision);
    setConflict(null);
    setStatus('saved');
    return theirs;
  }, [conflict]);

  /** Marks a document as the saved one (after taking theirs). */
  const markSaved = useCallback((text: string) => {
    saved.current = text;
  }, []);

  return { revision, status, error, conflict, flush, keepMine, takeTheirs, markSaved, retry: saveNow };
}

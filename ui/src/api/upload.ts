// Uploads a file as the next version of a dataset (POST /api/datasets, a
// multipart form), reporting progress as the bytes leave: fetch cannot
// report upload progress, XMLHttpRequest can.

import { ApiError, routeUrl } from './client';
import type { UploadedDataset } from './workspace';

export interface UploadRequest {
  file: File;
  name: string;
  description?: string;
  /** Called with the fraction sent, 0 to 1. */
  onProgress?: (fraction: number) => void;
  signal?: AbortSignal;
}

export function uploadDataset({ file, name, description, onProgress, signal }: UploadRequest): Promise<UploadedDataset> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    const form = new FormData();
    form.append('name', name);
    if (description) form.append('description', description);
    form.append('file', file, file.name);
    xhr.open('POST', routeUrl('POST /api/datasets'));
    xhr.responseType = 'text';
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable && e.total > 0) onProgress?.(e.loaded / e.total);
    };
    xhr.onload = () => {
      let body: unknown = null;
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        // not JSON: the status says enough
      }
      if (xhr.status >= 200 && xhr.status < 300) {
        onProgress?.(1);
        resolve(body as UploadedDataset);
        return;
      }
      const e = (body as { error?: { code?: string; message?: string; details?: unknown } } | null)?.error;
      reject(new ApiError(xhr.status, e?.code ?? 'http', e?.message ?? `the upload failed with status ${xhr.status}`, e?.details ?? null));
    };
    xhr.onerror = () => reject(new ApiError(0, 'network', 'the weft server cannot be reached', null));
    xhr.onabort = () => reject(new DOMException('the upload was canceled', 'AbortError'));
    signal?.addEventListener('abort', () => xhr.abort());
    xhr.send(form);
  });
}

/** A dataset name made from a file name: "Sales 2024.csv" -> "sales-2024". */
export function datasetNameFor(fileName: string): string {
  const base = fileName.replace(/\.[^.]*$/, '');
  const name = base
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^[^a-z0-9]+/, '')
    .replace(/-+$/, '')
    .slice(0, 100);
  return name || 'dataset';
}

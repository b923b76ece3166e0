// Where a dataset version came from, for people.

/** "upload:cars.csv" -> "Uploaded · cars.csv". */
export function sourceText(source: string): string {
  const [kind, ...rest] = source.split(':');
  const what = rest.join(':');
  switch (kind) {
    case 'upload':
      return `Uploaded · ${what}`;
    case 'sample':
      return `Sample · ${what}`;
    case 'file':
      return `Imported · ${what}`;
    case 'run':
      return `Run output · ${what}`;
    default:
      return source || '—';
  }
}


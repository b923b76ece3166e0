// The modules' help is short Markdown: headings, paragraphs, bullet lists,
// **bold**, `code` and fenced code blocks. This renders that subset as
// React elements (never as HTML strings), so help text cannot inject markup.

import { Fragment, type ReactNode } from 'react';

function inline(text: string): ReactNode[] {
  const out: ReactNode[] = [];
  const re = /(\*\*[^*]+\*\*|`[^`]+`)/g;
  let last = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null) {
    if (m.index > last) out.push(text.slice(last, m.index));
    const token = m[0];
    if (token.startsWith('**')) out.push(<strong key={m.index}>{token.slice(2, -2)}</strong>);
    else out.push(<code key={m.index}>{token.slice(1, -1)}</code>);
    last = m.index + token.length;
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
}

/** One line of help with `code` and **bold**, for parameter help. */
export function InlineMarkdown({ text }: { text: string }) {
  return <>{inline(text)}</>;
}

export function Markdown({ text, className }: { text: string; className?: string }) {
  const blocks: ReactNode[] = [];
  const lines = text.split('\n');
  let i = 0;
  while (i < lines.length) {
    const line = lines[i]!;
    if (line.startsWith('```')) {
      const body: string[] = [];
      i++;
      while (i < lines.length && !lines[i]!.startsWith('```')) body.push(lines[i++]!);
      i++;
      blocks.push(<pre key={blocks.length}>{body.join('\n')}</pre>);
      continue;
    }
    const heading = /^(#{1,6})\s+(.*)$/.exec(line);
    if (heading) {
      blocks.push(<h4 key={blocks.length}>{inline(heading[2]!)}</h4>);
      i++;
      continue;
    }
    if (/^\s*[-*]\s+/.test(line)) {
      const items: string[] = [];
      while (i < lines.length && /^\s*([-*]\s+|\s{2,}\S)/.test(lines[i]!)) {
        const l = lines[i]!;
        if (/^\s*[-*]\s+/.test(l)) items.push(l.replace(/^\s*[-*]\s+/, ''));
        else items[items.length - 1] += ` ${l.trim()}`;
        i++;
      }
      blocks.push(
        <ul key={blocks.length}>
          {items.map((it, k) => (
            <li key={k}>{inline(it)}</li>
          ))}
        </ul>,
      );
      continue;
    }
    if (line.trim() === '') {
      i++;
      continue;
    }
    const para: string[] = [];
    while (i < lines.length && lines[i]!.trim() !== '' && !/^(#|```|\s*[-*]\s+)/.test(lines[i]!)) para.push(lines[i++]!);
    blocks.push(<p key={blocks.length}>{inline(para.join(' '))}</p>);
  }
  return <div className={className ?? 'markdown'}>{blocks.map((b, k) => <Fragment key={k}>{b}</Fragment>)}</div>;
}

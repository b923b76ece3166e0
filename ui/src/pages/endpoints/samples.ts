// The Consume tab's code samples: ready-to-run programs that score rows on
// an endpoint through its native protocol (the Azure designer's shape:
// {"Inputs": {"WebServiceInput0": [rows]}} -> {"Results": {"WebServiceOutput0": [rows]}}),
// written the way each language's users write them. Pure functions, so the
// browser test can run what the page shows.

export type Row = Record<string, string | number | boolean | null>;

export interface SampleInput {
  /** The endpoint's scoring URL (absolute). */
  url: string;
  /** The key to send, or null to read it from $WEFT_ENDPOINT_KEY. */
  key: string | null;
  /** The rows to score. */
  rows: Row[];
}

export type SampleLanguage = 'curl' | 'python-urllib' | 'python-requests' | 'javascript' | 'c';

export const SAMPLE_LANGUAGES: { id: SampleLanguage; label: string; file: string; run: string }[] = [
  { id: 'curl', label: 'curl', file: 'score.sh', run: 'sh score.sh' },
  { id: 'python-urllib', label: 'Python (urllib.request)', file: 'score.py', run: 'python3 score.py' },
  { id: 'python-requests', label: 'Python (requests)', file: 'score_requests.py', run: 'python3 score_requests.py' },
  { id: 'javascript', label: 'JavaScript (fetch)', file: 'score.mjs', run: 'node score.mjs' },
  { id: 'c', label: 'C (libcurl)', file: 'score.c', run: 'cc score.c -lcurl -o score && ./score' },
];

export const KEY_VARIABLE = 'WEFT_ENDPOINT_KEY';

/** The request body of the native protocol. */
export function nativeBody(rows: Row[]): unknown {
  return { Inputs: { WebServiceInput0: rows }, GlobalParameters: {} };
}

/** A JSON value as a Python literal (null, true and false spelled Python's way). */
export function pythonLiteral(v: unknown, pad = ''): string {
  if (v === null || v === undefined) return 'None';
  if (v === true) return 'True';
  if (v === false) return 'False';
  if (typeof v === 'number') return Number.isFinite(v) ? JSON.stringify(v) : 'None';
  if (typeof v === 'string') return JSON.stringify(v);
  const inner = `${pad}    `;
  if (Array.isArray(v)) {
    if (v.length === 0) return '[]';
    return `[\n${v.map((x) => inner + pythonLiteral(x, inner)).join(',\n')},\n${pad}]`;
  }
  const entries = Object.entries(v as Record<string, unknown>);
  if (entries.length === 0) return '{}';
  return `{\n${entries.map(([k, x]) => `${inner}${JSON.stringify(k)}: ${pythonLiteral(x, inner)}`).join(',\n')},\n${pad}}`;
}

/** A string as one C string literal: quotes, backslashes, control and non-ASCII bytes escaped. */
export function cString(s: string): string {
  let out = '"';
  for (const byte of new TextEncoder().encode(s)) {
    if (byte === 0x22) out += '\\"';
    else if (byte === 0x5c) out += '\\\\';
    else if (byte >= 0x20 && byte < 0x7f) out += String.fromCharCode(byte);
    // Octal escapes take at most three digits, so a following digit is never swallowed.
    else out += `\\${byte.toString(8).padStart(3, '0')}`;
  }
  return `${out}"`;
}

/** A string in single quotes for a POSIX shell. */
export function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

function curl({ url, key, rows }: SampleInput): string {
  const body = JSON.stringify(nativeBody(rows), null, 2);
  // The body goes through a quoted here-document, so no character in it
  // needs escaping for the shell.
  return [
    `KEY=${key !== null ? shellQuote(key) : `"$${KEY_VARIABLE}"`}`,
    '',
    `curl -sS -X POST ${shellQuote(url)} \\`,
    `  -H 'Content-Type: application/json' \\`,
    `  -H "Authorization: Bearer $KEY" \\`,
    `  --data-binary @- <<'JSON'`,
    body,
    'JSON',
    '',
  ].join('\n');
}

/** The Python samples' url, api_key (given, or from the environment) and data. */
function pythonInputs({ url, key, rows }: SampleInput): string[] {
  return [
    `url = ${JSON.stringify(url)}`,
    key !== null ? `api_key = ${JSON.stringify(key)}` : `api_key = os.environ[${JSON.stringify(KEY_VARIABLE)}]`,
    '',
    `data = ${pythonLiteral(nativeBody(rows))}`,
  ];
}

function pythonUrllib({ url, key, rows }: SampleInput): string {
  return [
    'import json',
    ...(key === null ? ['import os'] : []),
    'import urllib.error',
    'import urllib.request',
    '',
    ...pythonInputs({ url, key, rows }),
    '',
    'body = json.dumps(data).encode("utf-8")',
    'headers = {"Content-Type": "application/json", "Authorization": "Bearer " + api_key}',
    'request = urllib.request.Request(url, body, headers)',
    '',
    'try:',
    '    with urllib.request.urlopen(request) as response:',
    '        result = json.loads(response.read())',
    '        print(json.dumps(result, indent=2))',
    'except urllib.error.HTTPError as error:',
    '    print("The request failed with status code", error.code)',
    '    print(error.read().decode("utf-8", "replace"))',
    '',
  ].join('\n');
}

function pythonRequests({ url, key, rows }: SampleInput): string {
  return [
    'import json',
    ...(key === null ? ['import os'] : []),
    '',
    'import requests',
    '',
    ...pythonInputs({ url, key, rows }),
    '',
    'response = requests.post(url, json=data, headers={"Authorization": f"Bearer {api_key}"}, timeout=30)',
    'if response.ok:',
    '    print(json.dumps(response.json(), indent=2))',
    'else:',
    '    print("The request failed with status code", response.status_code)',
    '    print(response.text)',
    '',
  ].join('\n');
}

function javascript({ url, key, rows }: SampleInput): string {
  return [
    '// Node 18+ (save as score.mjs) or a browser module.',
    `const url = ${JSON.stringify(url)};`,
    key !== null ? `const apiKey = ${JSON.stringify(key)};` : `const apiKey = process.env.${KEY_VARIABLE};`,
    '',
    `const data = ${JSON.stringify(nativeBody(rows), null, 2)};`,
    '',
    'const response = await fetch(url, {',
    "  method: 'POST',",
    "  headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${apiKey}` },",
    '  body: JSON.stringify(data),',
    '});',
    'if (!response.ok) {',
    '  console.error(`The request failed with status code ${response.status}`);',
    '  console.error(await response.text());',
    '} else {',
    '  console.log(JSON.stringify(await response.json(), null, 2));',
    '}',
    '',
  ].join('\n');
}

function c({ url, key, rows }: SampleInput): string {
  const body = JSON.stringify(nativeBody(rows), null, 2).split('\n');
  return [
    '/* score.c: cc score.c -lcurl -o score && ./score */',
    '#include <curl/curl.h>',
    '#include <stdio.h>',
    ...(key === null ? ['#include <stdlib.h>'] : []),
    '',
    'int main(void)',
    '{',
    `    const char *url = ${cString(url)};`,
    key !== null ? `    const char *key = ${cString(key)};` : `    const char *key = getenv(${cString(KEY_VARIABLE)});`,
    '    const char *body =',
    ...body.map((line, i) => `        ${cString(i < body.length - 1 ? `${line}\n` : line)}${i === body.length - 1 ? ';' : ''}`),
    ...(key === null
      ? ['    if (key == NULL) {', `        fprintf(stderr, "set ${KEY_VARIABLE} to a key of the endpoint\\n");`, '        return 1;', '    }']
      : []),
    '',
    '    char authorization[256];',
    '    snprintf(authorization, sizeof authorization, "Authorization: Bearer %s", key);',
    '',
    '    curl_global_init(CURL_GLOBAL_DEFAULT);',
    '    CURL *curl = curl_easy_init();',
    '    if (curl == NULL) {',
    '        fprintf(stderr, "curl_easy_init failed\\n");',
    '        return 1;',
    '    }',
    '    struct curl_slist *headers = NULL;',
    '    headers = curl_slist_append(headers, "Content-Type: application/json");',
    '    headers = curl_slist_append(headers, authorization);',
    '    curl_easy_setopt(curl, CURLOPT_URL, url);',
    '    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);',
    '    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body);',
    '',
    '    /* The reply is written to standard output. */',
    '    CURLcode rc = curl_easy_perform(curl);',
    '    long status = 0;',
    '    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);',
    '    if (rc != CURLE_OK)',
    '        fprintf(stderr, "request failed: %s\\n", curl_easy_strerror(rc));',
    '    else if (status != 200)',
    '        fprintf(stderr, "\\nThe request failed with status code %ld\\n", status);',
    '',
    '    curl_slist_free_all(headers);',
    '    curl_easy_cleanup(curl);',
    '    curl_global_cleanup();',
    '    return rc == CURLE_OK && status == 200 ? 0 : 1;',
    '}',
    '',
  ].join('\n');
}

const WRITERS: Record<SampleLanguage, (input: SampleInput) => string> = {
  curl,
  'python-urllib': pythonUrllib,
  'python-requests': pythonRequests,
  javascript,
  c,
};

/** The sample program for one language. */
export function codeSample(language: SampleLanguage, input: SampleInput): string {
  return WRITERS[language](input);
}

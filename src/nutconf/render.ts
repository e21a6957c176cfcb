/**
 * Writes the imported configuration as YAML, each note as a comment where
 * it belongs (before the section, UPS or user it is about), entries that
 * could not be carried over commented out with their reason.
 */
import YAML from 'yaml';
import type { CommentedOut, Note } from './notes';

const noteText = (n: Note): string => (n.line > 0 ? `${n.file}:${n.line}: ${n.text}` : `${n.file}: ${n.text}`);

function commentLines(lines: string[]): string {
  // yaml prefixes each comment line with "#"; a leading blank keeps "# text" readable.
  return lines.map((l) => (l === '' ? '' : ` ${l}`)).join('\n');
}

/** The deepest key of `at` that the document has, as a path into it. */
function existing(doc: YAML.Document, at: string[]): string[] {
  for (let n = at.length; n > 0; n--) {
    const path = at.slice(0, n);
    if (doc.hasIn(path)) return path;
  }
  return [];
}

function keyNode(doc: YAML.Document, path: string[]): YAML.Scalar | undefined {
  const parent = path.length === 1 ? doc.contents : doc.getIn(path.slice(0, -1), true);
  if (!YAML.isMap(parent)) return undefined;
  const pair = parent.items.find((p) => YAML.isScalar(p.key) && String(p.key.value) === path.at(-1));
  return pair && YAML.isScalar(pair.key) ? pair.key : undefined;
}

export function renderYaml(config: Record<string, unknown>, header: string[], notes: readonly Note[], commentedOut: readonly CommentedOut[]): string {
  const doc = new YAML.Document(config);
  const byPlace = new Map<string, string[]>();
  const put = (path: string[], lines: string[]): void => {
    const k = JSON.stringify(path);
    byPlace.set(k, [...(byPlace.get(k) ?? []), ...lines]);
  };
  // In file order, then line order, wherever they were found.
  const files = [...new Set(notes.map((n) => n.file))];
  const sorted = [...notes].sort((a, b) => files.indexOf(a.file) - files.indexOf(b.file) || a.line - b.line);
  for (const n of sorted) put(existing(doc, n.at), [noteText(n)]);
  const trailing = new Map<string, string[]>();
  for (const c of commentedOut) {
    const inside = doc.hasIn(c.at) && YAML.isMap(doc.getIn(c.at, true));
    // Inside its section (after the entries there), or at the top with the section's key around it.
    const value = inside ? { [c.key]: c.value } : c.at.reduceRight<Record<string, unknown>>((v, k) => ({ [k]: v }), { [c.key]: c.value });
    const body = YAML.stringify(value, { lineWidth: 0 }).trimEnd().split('\n');
    if (inside) {
      const k = JSON.stringify(c.at);
      trailing.set(k, [...(trailing.get(k) ?? []), noteText(c.note), ...body]);
    } else put([], [noteText(c.note), ...body]);
  }
  const top = byPlace.get('[]') ?? [];
  doc.commentBefore = commentLines([...header, ...(top.length ? ['', ...top] : [])]);
  for (const [k, lines] of byPlace) {
    const path = JSON.parse(k) as string[];
    if (path.length === 0) continue;
    const key = keyNode(doc, path);
    if (key) key.commentBefore = commentLines(lines);
  }
  for (const [k, lines] of trailing) {
    const node = doc.getIn(JSON.parse(k) as string[], true);
    if (YAML.isMap(node)) node.comment = commentLines(lines);
  }
  // Short lists of words read best on one line: actions: [set, fsd].
  YAML.visit(doc, {
    Seq(_, node) {
      if (node.items.every((i) => YAML.isScalar(i))) node.flow = true;
    },
  });
  return doc.toString({ lineWidth: 0 });
}

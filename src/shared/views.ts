// How the EJS templates are compiled: without `with`.
//
// EJS wraps a template's code in `with (locals) { … }` so that it can read `title` for `locals.title`. V8 looks every
// name inside a `with` up at run time: the dossier list's template took ~480-580 µs per render that way, ~100-145 µs
// with its names read once into variables (a loop over the same 50 rows). EJS's own option for that,
// `destructuredLocals`, declares the listed names as variables (`var title = locals.title, …`) before the code;
// here the list is every name the templates' code reads, found once in their sources, and each template's code runs in
// a block of its own, so that a template's own `const user = …` shadows the variable of the same name instead of
// declaring it twice.
import ejs from 'ejs';
import fs from 'node:fs';
import path from 'node:path';

/** Words that are not names a template can read as a variable. */
const NOT_NAMES = new Set(
  (
    'break case catch class const continue debugger default delete do else enum export extends false finally for ' +
    'function if import in instanceof new null return super switch this throw true try typeof var void while with ' +
    'yield let static implements interface package private protected public await async of arguments eval ' +
    // EJS's own: the function's parameters and what it declares
    'locals include escapeFn rethrow __append __output __line __lines __filename __locals'
  ).split(' '),
);

/** The code of a template: what stands between its `<%` tags (comments `<%#` and literal `<%%` left out). */
function codeOf(template: string): string[] {
  const out: string[] = [];
  for (const m of template.matchAll(/<%(?!%)([=\-_#]?)([\s\S]*?)[-_]?%>/g)) if (m[1] !== '#') out.push(m[2]);
  return out;
}

/**
 * Every name a template's code may read as a variable: its identifiers, except those after a dot (properties),
 * words of the language and the globals (`Math`, `encodeURIComponent`…), which must stay themselves. Names of the
 * template's own variables and of object keys come along; their outer variables stay undefined and unread.
 */
export function namesOf(template: string): Set<string> {
  const names = new Set<string>();
  for (const code of codeOf(template)) {
    for (const m of code.matchAll(/(?<![\w$])[A-Za-z_$][\w$]*/g)) {
      const name = m[0];
      // After a dot it is a property (`d.code`, `d?.code`), unless the dot ends a spread (`...values`).
      const before = code.slice(0, m.index).trimEnd();
      if ((before.endsWith('.') && !before.endsWith('...')) || NOT_NAMES.has(name) || name in globalThis) continue;
      names.add(name);
    }
  }
  return names;
}

/** The template's code in a block of its own (see above); the tags add no output and no line. */
export function inBlock(template: string): string {
  return `<% { %>${template}<% } %>`;
}

/** Every template file under `dir`, in its subfolders too. */
export function templatesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? templatesUnder(p) : e.name.endsWith('.ejs') ? [p] : [];
  });
}

/**
 * The `view options` of the app: every template under `dir` compiled without `with`, its names read once. Sets EJS's
 * file loader (a process-wide hook) to put each template's code in its block.
 */
export function viewOptions(dir: string): { root: string; _with: false; destructuredLocals: string[] } {
  const names = new Set<string>();
  for (const file of templatesUnder(dir)) for (const name of namesOf(fs.readFileSync(file, 'utf8'))) names.add(name);
  ejs.fileLoader = (file: string) => inBlock(fs.readFileSync(file, 'utf8'));
  return { root: dir, _with: false, destructuredLocals: [...names].sort() };
}

// How the EJS templates are compiled: without `with`.
//
// EJS wraps a template's code in `with (locals) { … }` so that it can read `title` for `locals.title`. V8 looks every
// name inside a `with` up at run time: the dossier list's template took ~480-580 µs per render that way, ~100-145 µs
// with its names read once into variables (a loop over the same 50 rows). Here each template starts by reading the
// names its own code uses (`var title = locals.title, …`), found in its source as it is loaded, and its code runs in a
// block of its own, so that a template's own `const user = …` shadows the variable of the same name instead of
// declaring it twice. (EJS's option `destructuredLocals` declares one list for every template: the 544 names of all of
// them were read at the start of each template and partial: about a fifth of a dossier page's render.)
import ejs from 'ejs';
import type { Express, Response } from 'express';
import fs from 'node:fs';
import { escapeHtml } from './format';

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

/**
 * The template's code in a block of its own, after the names it uses are read once (see above); the tags add no
 * output and no line. A name among `shared` is the locals' own when they have it, otherwise the shared one, which the
 * template reads as `this` (EJS's `context`): the app's helpers and tables of names. With `includes`, a template that
 * includes partials runs them through keptInclude (its context must then hold it: viewOptions).
 */
export function inBlock(template: string, shared: ReadonlySet<string> = new Set(), includes = false): string {
  const reads = [...namesOf(template)]
    .sort()
    .map((n) => (shared.has(n) ? `${n} = locals.${n} !== undefined ? locals.${n} : this.${n}` : `${n} = locals.${n}`));
  const include = includes && codeOf(template).some((code) => /(?<![\w$.])include\s*\(/.test(code)) ? `include = this.${KEPT_INCLUDE}(include, locals);` : '';
  return `<% ${reads.length ? `var ${reads.join(', ')};` : ''}${include} { %>${template}<% } %>`;
}

/** The name in a template's context of keptInclude's function. */
const KEPT_INCLUDE = 'keptInclude';

type Include = (name: string, data?: object) => string;

/**
 * A template's `include` that runs a partial already compiled and kept (`view cache`, in production) with the page's
 * own locals, where EJS's gave each partial a copy of them made key by key, after a copy of its options: a dossier's
 * page, with its four partials, spent 42 µs of its 57 µs of template in `include`. A partial given data of its own
 * (`include('/admin/partials/text', { name })`), or not yet compiled, or named otherwise than from views/, goes to
 * EJS's include. A partial reads its locals and never writes them, so it may be given the page's.
 */
function keptInclude(root: string) {
  const files = new Map<string, string>();
  return (include: Include, locals: object): Include =>
    (name, data) => {
      if (data === undefined && name.startsWith('/')) {
        let file = files.get(name);
        if (file === undefined) {
          // The file EJS's include reads and keeps the partial under (its getIncludePath, for a path from `root`).
          file = ejs.resolveInclude(name.replace(/^\/*/, ''), root, true);
          files.set(name, file);
        }
        const kept = ejs.cache.get(file);
        if (kept) return kept(locals);
      }
      return include(name, data);
    };
}

/**
 * The `view options` of the app: every template under `dir` compiled without `with`, and `shared`, the helpers every
 * template may read, given as their context rather than among the locals. Sets EJS's file loader (a process-wide
 * hook) to put each template's code in its block.
 *
 * Express copies every local into one object for each page, and EJS copies them all again for each partial it
 * includes (`include` gives the partial a copy of the page's locals): the thirty helpers and tables of names among
 * them were copied six times for a dossier's page. The context is passed on as it is. EJS keeps each template
 * compiled with the context it was first compiled with (with `view cache`, for the whole process), so `shared` must be
 * the same for every app of the process. `<%= %>` escapes with format.ts escapeHtml. The context also holds the
 * function by which a template's `include` runs a partial already kept (keptInclude).
 */
export function viewOptions(
  dir: string,
  shared: Record<string, unknown> = {},
): { root: string; _with: false; context: Record<string, unknown>; escape: (value: unknown) => string } {
  const names = new Set(Object.keys(shared));
  ejs.fileLoader = (file: string) => inBlock(fs.readFileSync(file, 'utf8'), names, true);
  return { root: dir, _with: false, context: { ...shared, [KEPT_INCLUDE]: keptInclude(dir) }, escape: escapeHtml };
}

const ENCODER = new TextEncoder();
/** Where utf8() writes a page before copying it out: pages up to a third of its size in characters (87,000). */
const SCRATCH = Buffer.allocUnsafe(256 * 1024);

/**
 * A page's text as UTF-8 bytes, the same as Buffer.from(text, 'utf8') (a lone surrogate as U+FFFD included). Node 20
 * makes a Buffer of a text by measuring it and then writing it, two passes over a text that holds Vietnamese letters
 * (a V8 two-byte string); writing it once into scratch memory and copying the bytes out takes a third less: the late
 * list's 41,000 characters in 60 µs instead of 92, a dossier's page of 8,000 in 12.5 µs instead of 16.
 */
export function utf8(text: string): Buffer {
  if (text.length * 3 > SCRATCH.length) return Buffer.from(text, 'utf8');
  const { written } = ENCODER.encodeInto(text, SCRATCH);
  const bytes = Buffer.allocUnsafe(written);
  SCRATCH.copy(bytes, 0, 0, written);
  return bytes;
}

type RenderCallback = (err: Error, html: string) => void;

/**
 * The app's res.render sends the page it made as utf8() bytes, with the headers Express gives a page sent as text
 * (`Content-Type: text/html; charset=utf-8`, its length in bytes). A render given its own callback, or whose answer
 * already has a type, is Express's own.
 */
export function renderAsUtf8(app: Express): void {
  const render = app.response.render as (this: Response, view: string, options?: object | RenderCallback, callback?: RenderCallback) => void;
  app.response.render = function (this: Response, view: string, options?: object | RenderCallback, callback?: RenderCallback) {
    if (typeof options === 'function' || callback || this.get('Content-Type')) return render.call(this, view, options, callback);
    render.call(this, view, options, (err, html) => {
      if (err) return this.req.next!(err);
      this.type('html').send(utf8(html));
    });
  };
}

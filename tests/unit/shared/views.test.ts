import { describe, expect, it } from 'vitest';
import ejs from 'ejs';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { inBlock, namesOf, utf8, viewOptions } from '../../../src/shared/views';
import { escapeHtml } from '../../../src/shared/format';

const VIEWS = path.resolve(import.meta.dirname, '../../../views');

/** Every template file under `dir`, in its subfolders too. */
function templatesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? templatesUnder(p) : e.name.endsWith('.ejs') ? [p] : [];
  });
}

describe('templates compiled without `with`', () => {
  it('when a template is read for its names, then it lists the variables it reads, not properties, words of the language or globals', () => {
    const names = namesOf('<% for (const d of result.items) { %><%= formatDate(d.due_at) %><%- JSON.stringify(d) %><% } %><%# ignored %>');
    expect([...names].sort()).toEqual(['d', 'formatDate', 'result']);
    expect(namesOf("<%= typeof title !== 'undefined' ? encodeURIComponent(title) : Math.max(1, n) %>")).toEqual(new Set(['title', 'n']));
    expect(namesOf('<%% literal %> <p><%= a?.b %></p>')).toEqual(new Set(['a']));
    // A spread reads its name; a number's exponent is no name. (Words inside strings come along too, unread.)
    expect(namesOf('<%- include(file, { ...values, size: 1.5e3 }) %>')).toEqual(new Set(['file', 'values', 'size']));
  });

  it("when a template declares a variable named like one of the locals, then it still compiles, and reads its own", () => {
    // header.ejs does this: `const user = locals.user || null`.
    const source = "<% const user = locals.user || 'nobody'; %><%= user %>/<%= title %>/<%= typeof missing === 'undefined' %>";
    // EJS's own way of reading names once declares them beside the template's code, and its `const` then clashes.
    expect(() => ejs.compile(source, { _with: false, destructuredLocals: ['user', 'title', 'missing'] })).toThrow(/already been declared/);
    const render = ejs.compile(inBlock(source), { _with: false });
    expect(render({ user: 'lan', title: 'Hồ sơ' })).toBe('lan/Hồ sơ/true');
    expect(render({ title: 'Hồ sơ' })).toBe('nobody/Hồ sơ/true');
  });

  it('when a template reads a shared helper, then it gets the context’s, unless its locals hold one of that name', () => {
    const source = '<%= placeName %>, <%= formatDay(day) %>';
    const context = { placeName: 'Cần Thơ', formatDay: (d: number) => `ngày ${d}` };
    const render = ejs.compile(inBlock(source, new Set(Object.keys(context))), { _with: false, context });
    expect(render({ day: 5 })).toBe('Cần Thơ, ngày 5');
    // letters/print.ejs gives the letterhead the letter's own place.
    expect(render({ day: 5, placeName: 'Ninh Kiều' })).toBe('Ninh Kiều, ngày 5');
    // Not among the shared names: read from the locals only.
    expect(ejs.compile(inBlock(source, new Set(['formatDay'])), { _with: false, context })({ day: 5 })).toBe(', ngày 5');
  });

  it('when every template of views/ is compiled with the app’s options, then none fails, and a page renders as it did with `with`', () => {
    const shared = { formatDateTime: () => '', STATUS_NAMES: {} };
    const options = viewOptions(VIEWS, shared);
    expect(options).toEqual({ root: VIEWS, _with: false, context: { ...shared, keptInclude: expect.any(Function) }, escape: escapeHtml });
    const files = templatesUnder(VIEWS);
    expect(files.length).toBeGreaterThan(30);
    const names = new Set(Object.keys(shared));
    for (const file of files) expect(() => ejs.compile(inBlock(fs.readFileSync(file, 'utf8'), names, true), { ...options, filename: file }), file).not.toThrow();
    const field = path.join(VIEWS, 'partials/field-error.ejs');
    const data = { name: 'applicant.name', errors: { 'applicant.name': 'Nhập họ tên' } };
    const withWith = ejs.compile(fs.readFileSync(field, 'utf8'), { root: VIEWS })(data);
    const without = ejs.compile(inBlock(fs.readFileSync(field, 'utf8'), names), { ...options, filename: field })(data);
    expect(without).toBe(withWith);
    expect(without).toContain('Nhập họ tên');
  });
});

describe('pages as UTF-8 bytes', () => {
  it('when a page is encoded, then its bytes are those of Buffer.from, lone surrogates and pages too long for the scratch memory included', () => {
    const page = '<p>Hồ sơ của Nguyễn Thị Hồng Nhung — Đất đai 😀</p>';
    const texts = ['', 'hello', page, 'a\ud800b', '\udc00', page.repeat(3_000), 'x'.repeat(100_000)];
    for (const text of texts) expect(utf8(text).equals(Buffer.from(text, 'utf8')), text.slice(0, 20)).toBe(true);
    // Each answer has bytes of its own: the next page does not overwrite the last.
    const first = utf8('Cần Thơ');
    utf8('Hà Nội');
    expect(first.toString('utf8')).toBe('Cần Thơ');
  });
});

describe('partials', () => {
  it('when a page includes a partial already compiled and kept, then the partial reads the page’s locals, not a copy; given data, or not kept, EJS’s include copies them', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'views-'));
    try {
      fs.writeFileSync(path.join(root, 'page.ejs'), "<%- include('/part') %>|<%- include('/part', { who: 'B' }) %>");
      fs.writeFileSync(path.join(root, 'part.ejs'), '<%= who %>:<%= seen(locals) %>');
      const options = viewOptions(root, {});
      const render = async (cache: boolean) => {
        const data: Record<string, unknown> = { who: 'A' };
        data.seen = (locals: object) => (locals === data ? 'same' : 'copy');
        return ejs.renderFile(path.join(root, 'page.ejs'), data, { ...options, cache });
      };
      // Not kept (no view cache, as in development): the file is read and compiled at each include.
      expect(await render(false)).toBe('A:copy|B:copy');
      fs.writeFileSync(path.join(root, 'part.ejs'), '<%= who %>=<%= seen(locals) %>');
      expect(await render(false)).toBe('A=copy|B=copy');
      // Kept: the first render compiles the partial through EJS's include; the next ones run it with the page's locals.
      expect(await render(true)).toBe('A=copy|B=copy');
      expect(await render(true)).toBe('A=same|B=copy');
    } finally {
      ejs.clearCache();
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});

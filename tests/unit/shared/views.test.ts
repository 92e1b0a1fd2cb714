import { describe, expect, it } from 'vitest';
import ejs from 'ejs';
import fs from 'node:fs';
import path from 'node:path';
import { inBlock, namesOf, templatesUnder, viewOptions } from '../../../src/shared/views';

const VIEWS = path.resolve(import.meta.dirname, '../../../views');

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
    const options = { _with: false, destructuredLocals: ['user', 'title', 'missing'] };
    expect(() => ejs.compile(source, options)).toThrow(/already been declared/);
    const render = ejs.compile(inBlock(source), options);
    expect(render({ user: 'lan', title: 'Hồ sơ' })).toBe('lan/Hồ sơ/true');
    expect(render({ title: 'Hồ sơ' })).toBe('nobody/Hồ sơ/true');
  });

  it('when every template of views/ is compiled with the app’s options, then none fails, and a page renders as it did with `with`', () => {
    const options = viewOptions(VIEWS);
    expect(options._with).toBe(false);
    expect(options.destructuredLocals).toEqual(expect.arrayContaining(['result', 'filter', 'formatDateTime', 'STATUS_NAMES', 'user']));
    const files = templatesUnder(VIEWS);
    expect(files.length).toBeGreaterThan(30);
    for (const file of files) expect(() => ejs.compile(inBlock(fs.readFileSync(file, 'utf8')), { ...options, filename: file }), file).not.toThrow();
    const field = path.join(VIEWS, 'partials/field-error.ejs');
    const data = { name: 'applicant.name', errors: { 'applicant.name': 'Nhập họ tên' } };
    const withWith = ejs.compile(fs.readFileSync(field, 'utf8'), { root: VIEWS })(data);
    const without = ejs.compile(inBlock(fs.readFileSync(field, 'utf8')), { ...options, filename: field })(data);
    expect(without).toBe(withWith);
    expect(without).toContain('Nhập họ tên');
  });
});

import type { Page } from 'playwright-core';

// Basic accessibility checks run inside the page: labels, table headers, text contrast, visible keyboard focus.
// The in-page code is a string so that the TypeScript project (no DOM lib) does not need browser types.

export interface Audit {
  unlabelled: string[];
  tablesWithoutHeaders: string[];
  lowContrast: string[];
  focusInvisible: string[];
}

const IN_PAGE = String.raw`
(() => {
  const describe = (el) => {
    const id = el.id ? '#' + el.id : '';
    const cls = typeof el.className === 'string' && el.className.trim() ? '.' + el.className.trim().split(/\s+/).join('.') : '';
    const name = el.getAttribute('name') ? '[name=' + el.getAttribute('name') + ']' : '';
    const text = (el.textContent || el.value || '').trim().replace(/\s+/g, ' ').slice(0, 40);
    return el.tagName.toLowerCase() + id + cls + name + (text ? ' "' + text + '"' : '');
  };
  const visible = (el) => {
    const r = el.getBoundingClientRect();
    const s = getComputedStyle(el);
    return r.width > 1 && r.height > 1 && s.visibility !== 'hidden' && s.display !== 'none';
  };

  // 1. Every form control has a label (a <label>, aria-label or aria-labelledby).
  const unlabelled = [];
  for (const el of document.querySelectorAll('input, select, textarea')) {
    if (el.tagName === 'INPUT' && ['hidden', 'submit', 'button', 'reset', 'image'].includes(el.type)) continue;
    const labelText = [...(el.labels || [])].map((l) => l.textContent.trim()).join('');
    const aria = (el.getAttribute('aria-label') || '').trim();
    const by = (el.getAttribute('aria-labelledby') || '').split(/\s+/).filter(Boolean).map((id) => document.getElementById(id)?.textContent.trim() || '').join('');
    if (!labelText && !aria && !by) unlabelled.push(describe(el));
  }

  // 2. Every data table has header cells (layout tables of the printed forms say role="presentation").
  const tablesWithoutHeaders = [];
  for (const t of document.querySelectorAll('table')) {
    if (['presentation', 'none'].includes(t.getAttribute('role'))) continue;
    if (!t.querySelector('th')) tablesWithoutHeaders.push(describe(t));
  }

  // 3. Text contrast against the composited background: 4.5:1, or 3:1 for large text.
  const parse = (c) => {
    const m = c.match(/rgba?\(([^)]+)\)/);
    if (!m) return null;
    const p = m[1].split(/[\s,\/]+/).filter(Boolean).map(Number);
    return { r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1 };
  };
  const over = (top, bottom) => ({
    r: top.r * top.a + bottom.r * (1 - top.a),
    g: top.g * top.a + bottom.g * (1 - top.a),
    b: top.b * top.a + bottom.b * (1 - top.a),
    a: 1,
  });
  const background = (el) => {
    const layers = [];
    for (let n = el; n && n.nodeType === 1; n = n.parentElement) {
      const bg = parse(getComputedStyle(n).backgroundColor);
      if (bg && bg.a > 0) {
        layers.push(bg);
        if (bg.a >= 1) break;
      }
    }
    let c = { r: 255, g: 255, b: 255, a: 1 };
    for (const l of layers.reverse()) c = over(l, c);
    return c;
  };
  const lum = (c) => {
    const ch = (v) => {
      v /= 255;
      return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
    };
    return 0.2126 * ch(c.r) + 0.7152 * ch(c.g) + 0.0722 * ch(c.b);
  };
  const ratio = (a, b) => {
    const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p);
    return (x + 0.05) / (y + 0.05);
  };
  const lowContrast = [];
  const seen = new Set();
  for (const el of document.querySelectorAll('body *')) {
    if (['SCRIPT', 'STYLE', 'svg', 'OPTION', 'OPTGROUP'].includes(el.tagName) || el.closest('svg, option, select')) continue;
    const hasText = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
    if (!hasText || !visible(el)) continue;
    if (el.disabled || el.closest('[aria-disabled=true]')) continue;
    const s = getComputedStyle(el);
    let fg = parse(s.color);
    if (!fg) continue;
    let opacity = 1;
    for (let n = el; n && n.nodeType === 1; n = n.parentElement) opacity *= Number(getComputedStyle(n).opacity);
    const bg = background(el);
    fg = over({ ...fg, a: fg.a * opacity }, bg);
    const size = parseFloat(s.fontSize);
    const large = size >= 24 || (size >= 18.66 && Number(s.fontWeight) >= 700);
    const r = ratio(fg, bg);
    if (r < (large ? 3 : 4.5)) {
      const key = describe(el) + ' ' + r.toFixed(2);
      if (!seen.has(key)) { seen.add(key); lowContrast.push(describe(el) + ': ' + r.toFixed(2) + ' (' + s.color + ' on rgb(' + [bg.r, bg.g, bg.b].map(Math.round).join(',') + '))'); }
    }
  }
  return { unlabelled, tablesWithoutHeaders, lowContrast };
})()
`;

const FOCUS_STYLE = String.raw`
((el) => {
  const s = getComputedStyle(el);
  return { outline: s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2 ? s.outlineStyle + ' ' + s.outlineWidth + ' ' + s.outlineColor : 'none', shadow: s.boxShadow, border: s.borderColor, bg: s.backgroundColor };
})`;

/** Presses Tab through the page (at most `steps` times) and checks each focused element shows it. */
async function focusCheck(page: Page, steps: number): Promise<string[]> {
  await page.evaluate('window.__focusSeen = []; document.activeElement && document.activeElement.blur && document.activeElement.blur();');
  for (let i = 0; i < steps; i++) {
    await page.keyboard.press('Tab');
    const done = await page.evaluate(String.raw`(() => {
      const el = document.activeElement;
      if (!el || el === document.body) return true;
      if (window.__focusSeen.some((r) => r.el === el)) return true;
      window.__focusSeen.push({ el, focused: ${FOCUS_STYLE}(el) });
      return false;
    })()`);
    if (done) break;
  }
  return page.evaluate(String.raw`(() => {
    if (document.activeElement && document.activeElement.blur) document.activeElement.blur();
    const bad = window.__focusSeen.length ? [] : ['no element took the keyboard focus'];
    for (const r of window.__focusSeen) {
      const plain = ${FOCUS_STYLE}(r.el);
      const shows = r.focused.outline !== 'none' || (r.focused.shadow !== plain.shadow && r.focused.shadow !== 'none') || r.focused.bg !== plain.bg;
      if (!shows) bad.push(r.el.tagName.toLowerCase() + (r.el.id ? '#' + r.el.id : '') + ' "' + (r.el.textContent || r.el.value || '').trim().slice(0, 30) + '"');
    }
    return bad;
  })()`);
}

export async function auditPage(page: Page, focusSteps = 25): Promise<Audit> {
  const base = (await page.evaluate(IN_PAGE)) as Omit<Audit, 'focusInvisible'>;
  const focusInvisible = await focusCheck(page, focusSteps);
  await page.evaluate('window.scrollTo(0, 0)');
  return { ...base, focusInvisible };
}

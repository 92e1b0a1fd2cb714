// Small progressive enhancements; every page works without them.
(function () {
  'use strict';
  var $ = function (sel, root) { return (root || document).querySelector(sel); };
  var draftSent = function () {}; // set with the drafts below

  // "/" focuses the quick search, Ctrl+Enter submits the form being edited, Esc leaves a field.
  document.addEventListener('keydown', function (e) {
    var t = e.target;
    var typing = t && (t.tagName === 'INPUT' || t.tagName === 'TEXTAREA' || t.tagName === 'SELECT' || t.isContentEditable);
    if (e.key === '/' && !typing) {
      var q = $('#quick-q');
      if (q) { e.preventDefault(); q.focus(); }
    } else if (e.key === 'Enter' && (e.ctrlKey || e.metaKey) && t && t.form) {
      e.preventDefault();
      var button = submitterFor(t);
      if (button) button.click(); else if (t.form.requestSubmit) t.form.requestSubmit(); else t.form.submit();
    }
  });

  // The button Ctrl+Enter presses: the nearest visible one around the field being typed in, clicked, so that its
  // formaction, its name and its confirmation count. The form was sent without a button: a refusal's reason, typed in
  // the intake form's "Không tiếp nhận được?" box, received the dossier instead of refusing it, and a withdrawal was
  // saved without its confirmation.
  var submitterFor = function (t) {
    for (var box = t.parentNode; box && box !== t.form.parentNode; box = box.parentNode) {
      var buttons = box.querySelectorAll('button:not([type]), button[type=submit], input[type=submit]');
      for (var i = 0; i < buttons.length; i++) {
        if (buttons[i].form === t.form && !buttons[i].disabled && buttons[i].offsetParent !== null) return buttons[i];
      }
    }
    return null;
  };

  // In a long form (the intake), Enter goes on to the next field, as the procedure's picker already did: it sent the
  // form from the applicant's name, saving a dossier half typed that cannot be edited afterwards. Ctrl+Enter or the
  // button sends it.
  document.querySelectorAll('form[data-enter-moves]').forEach(function (f) {
    f.addEventListener('keydown', function (e) {
      var t = e.target;
      if (e.key !== 'Enter' || e.ctrlKey || e.metaKey || e.altKey || e.shiftKey || e.defaultPrevented) return;
      if (!t || t.tagName !== 'INPUT' || ['submit', 'button', 'reset', 'image', 'file'].indexOf(t.type) >= 0) return;
      e.preventDefault();
      var els = Array.prototype.slice.call(f.elements);
      for (var i = els.indexOf(t) + 1; i < els.length; i++) {
        var el = els[i];
        if (el.disabled || el.type === 'hidden' || el.tabIndex < 0 || el.offsetParent === null) continue;
        if (['submit', 'button', 'reset', 'fieldset', 'output'].indexOf(el.type) >= 0) continue;
        if (el.type === 'radio' && ((t.type === 'radio' && el.name === t.name) || (!el.checked && f.querySelector('input[type=radio][name="' + el.name + '"]:checked')))) continue;
        el.focus();
        // As Tab does: what the field holds is selected, so typing replaces it. The cursor went after it, and a name
        // typed into a form that had come back filled was added to the last citizen's ("Đỗ Thị MaiNguyễn Văn Tám").
        if (el.select && (el.tagName === 'TEXTAREA' || ['text', 'search', 'tel', 'email', 'number', 'url'].indexOf(el.type) >= 0)) el.select();
        return;
      }
    });
  });

  // A note under a field, read with it by screen readers (aria-describedby); an empty text takes it away.
  var fieldNote = function (el, key, text) {
    var id = (el.id || el.name) + '-' + key;
    var p = document.getElementById(id);
    var described = (el.getAttribute('aria-describedby') || '').split(' ').filter(function (x) { return x && x !== id; });
    if (!text) {
      if (!p) return;
      p.remove();
      if (described.length) el.setAttribute('aria-describedby', described.join(' ')); else el.removeAttribute('aria-describedby');
      if (!el.parentNode.querySelector('.field-error:not([hidden])')) el.removeAttribute('aria-invalid');
      return;
    }
    if (!p) {
      p = document.createElement('p');
      p.className = 'field-error';
      p.id = id;
      el.parentNode.appendChild(p);
      el.setAttribute('aria-describedby', described.concat(id).join(' '));
    }
    p.textContent = text;
    el.setAttribute('aria-invalid', 'true');
  };

  // The server's word on a field is about what was sent: once the field is changed, it is set aside (hidden, no
  // longer read with the field, the field no longer marked), and comes back if the sent value is typed again. A
  // corrected field kept its red border and "bắt buộc" until the form was sent again.
  // A radio group (the intake's channel) is marked as a whole: its value is the radio checked in it.
  var valueOf = function (el) {
    if (el.getAttribute('role') === 'radiogroup') { var on = el.querySelector('input:checked'); return on ? on.value : ''; }
    return el.type === 'checkbox' || el.type === 'radio' ? String(el.checked) : el.value;
  };
  document.querySelectorAll('[aria-invalid="true"]').forEach(function (el) {
    var said = (el.getAttribute('aria-describedby') || '').split(' ').map(function (id) { return id && document.getElementById(id); })
      .filter(function (p) { return p && p.classList.contains('field-error'); });
    if (!said.length) return;
    // A procedure filter's word is about the list it filters: typing in it chooses nothing yet.
    var source = el.hasAttribute('data-filter-for') ? document.getElementById(el.getAttribute('data-filter-for')) || el : el;
    var sent = valueOf(source);
    var box = el.closest('.has-error');
    var sync = function () {
      var changed = valueOf(source) !== sent;
      var ids = (el.getAttribute('aria-describedby') || '').split(' ').filter(function (id) {
        return id && !said.some(function (p) { return p.id === id; });
      });
      said.forEach(function (p) { p.hidden = changed; });
      if (!changed) ids = ids.concat(said.map(function (p) { return p.id; }));
      if (ids.length) el.setAttribute('aria-describedby', ids.join(' ')); else el.removeAttribute('aria-describedby');
      var open = !changed || !!el.parentNode.querySelector('.field-error:not([hidden])');
      if (open) el.setAttribute('aria-invalid', 'true'); else el.removeAttribute('aria-invalid');
      if (box) box.classList.toggle('has-error', !changed);
    };
    source.addEventListener('input', sync);
    source.addEventListener('change', sync);
  });

  // A table of numbers that are links (the report: 121 of them) is one Tab stop: the arrow keys move between its
  // numbers as in a spreadsheet, Home and End to a row's ends; Tab leaves it. Tabbing through it took 121 presses.
  document.querySelectorAll('table[data-grid-nav]').forEach(function (table) {
    var rows = Array.prototype.map.call(table.tBodies[0] ? table.tBodies[0].rows : [], function (tr) {
      return Array.prototype.slice.call(tr.querySelectorAll('a'));
    }).filter(function (r) { return r.length; });
    if (!rows.length) return;
    var all = [].concat.apply([], rows);
    var current = all[0];
    var take = function (a) {
      all.forEach(function (x) { x.tabIndex = x === a ? 0 : -1; });
      current = a;
    };
    take(current);
    table.addEventListener('focusin', function (e) { if (all.indexOf(e.target) >= 0) take(e.target); });
    table.addEventListener('keydown', function (e) {
      if (e.altKey || e.ctrlKey || e.metaKey || all.indexOf(e.target) < 0) return;
      var r = 0, c = 0;
      rows.forEach(function (row, i) { var j = row.indexOf(e.target); if (j >= 0) { r = i; c = j; } });
      var next = null;
      if (e.key === 'ArrowRight') next = rows[r][c + 1];
      else if (e.key === 'ArrowLeft') next = rows[r][c - 1];
      else if (e.key === 'ArrowDown') next = rows[r + 1] && rows[r + 1][Math.min(c, rows[r + 1].length - 1)];
      else if (e.key === 'ArrowUp') next = rows[r - 1] && rows[r - 1][Math.min(c, rows[r - 1].length - 1)];
      else if (e.key === 'Home') next = rows[r][0];
      else if (e.key === 'End') next = rows[r][rows[r].length - 1];
      else return;
      e.preventDefault();
      if (next) next.focus();
    });
  });

  // A field's length is limited by saying so, not by cutting: the browser's maxlength dropped the end of a pasted
  // name without a word. The limit moves to data-maxlength; past it the field says by how much as it is typed. The
  // form is still sent: the server answers every problem of it at once, with all that was typed.
  var overLength = function (el) {
    var max = Number(el.getAttribute('data-maxlength'));
    var n = el.value.length;
    fieldNote(el, 'too-long', n > max ? 'Dài ' + n + ' ký tự, quá ' + max + ' ký tự cho phép: hãy rút gọn ' + (n - max) + ' ký tự.' : '');
  };
  document.querySelectorAll('input[maxlength], textarea[maxlength]').forEach(function (el) {
    if (el.readOnly) return;
    el.setAttribute('data-maxlength', el.getAttribute('maxlength'));
    el.removeAttribute('maxlength');
    el.addEventListener('input', function () { overLength(el); });
  });

  // What the server reads of a form at most (app.ts: express.urlencoded's limit): a longer one was answered by an
  // error page, and what was typed was gone. The form says so instead, naming its largest field (and what to do
  // instead, data-too-large-hint).
  var MAX_FORM_BYTES = 200 * 1024;
  var tooLarge = function (f) {
    if (String(f.enctype).toLowerCase() !== 'application/x-www-form-urlencoded' || !window.FormData || !window.URLSearchParams) return false;
    var bytes = new URLSearchParams(new FormData(f)).toString().length;
    var note = f.querySelector('.form-too-large');
    if (bytes <= MAX_FORM_BYTES) { if (note) note.remove(); return false; }
    var largest = null;
    Array.prototype.forEach.call(f.elements, function (el) {
      if ((el.tagName === 'TEXTAREA' || el.tagName === 'INPUT') && (!largest || el.value.length > largest.value.length)) largest = el;
    });
    var label = largest && largest.labels && largest.labels[0] ? largest.labels[0].textContent.trim() : '';
    if (!note) {
      note = document.createElement('p');
      note.className = 'flash error form-too-large';
      note.setAttribute('role', 'alert');
      f.insertBefore(note, f.firstChild);
    }
    note.textContent = 'Nội dung quá lớn để gửi: ' + Math.ceil(bytes / 1024) + ' kB, tối đa ' + MAX_FORM_BYTES / 1024 + ' kB' +
      (label ? '; ô lớn nhất là „' + label + '“' : '') + '. ' + (f.getAttribute('data-too-large-hint') || 'Hãy rút gọn.');
    if (largest) largest.focus();
    return true;
  };

  // A form is sent once: Ctrl+Enter pressed twice saved two dossiers. A date or time the browser holds half typed or
  // impossible (31/02) is sent as empty, and the intake then took the present instant without a word: it is refused
  // here, beside the field, as is a form larger than the server reads.
  document.addEventListener('submit', function (e) {
    var f = e.target;
    if (e.defaultPrevented || !f || String(f.method).toLowerCase() !== 'post') return;
    var bad = Array.prototype.filter.call(f.elements, function (el) {
      if ((el.type === 'date' || el.type === 'time') && el.validity && el.validity.badInput) {
        fieldNote(el, 'unfinished', el.type === 'date'
          ? 'Ngày chưa nhập đủ hoặc không có thật: nhập đủ ngày, tháng, năm, hoặc xóa trống.'
          : 'Giờ chưa nhập đủ: nhập đủ giờ và phút, hoặc xóa trống.');
        var clear = function () { if (!el.validity.badInput) { fieldNote(el, 'unfinished', ''); el.removeEventListener('input', clear); } };
        el.addEventListener('input', clear);
        return true;
      }
      return false;
    });
    if (bad.length) { e.preventDefault(); bad[0].focus(); return; }
    if (tooLarge(f)) { e.preventDefault(); return; }
    if (f.hasAttribute('data-sending')) { e.preventDefault(); return; }
    draftSent(f);
    f.setAttribute('data-sending', '');
    f.setAttribute('aria-busy', 'true');
    // A form whose answer is a file, or a network that never answers, leaves the page as it was.
    setTimeout(function () { f.removeAttribute('data-sending'); f.removeAttribute('aria-busy'); }, 8000);
  });
  window.addEventListener('pageshow', function (e) {
    if (e.persisted) document.querySelectorAll('form[data-sending]').forEach(function (f) { f.removeAttribute('data-sending'); f.removeAttribute('aria-busy'); });
  });

  // Print buttons on the forms.
  document.querySelectorAll('[data-print]').forEach(function (b) {
    b.addEventListener('click', function () { window.print(); });
  });

  // A form of one sheet (receipt, supplement request, refusal, stop notice, apology letter) stays on it: a receipt of a
  // procedure with a long name and many papers ran onto a second A5 page. The sheet on screen is laid out as its
  // printed page (forms.css), so while it is taller than the paper its type is made smaller, by steps, down to 9 pt
  // on A5 (85%) and 10 pt on A4 (75%). A few millimetres are kept spare for the printer's own rounding. Longer still, an A5
  // form's toolbar says so and offers A4.
  var sheet = $('.sheet[data-one-sheet]');
  var a5 = !!$('.size-a5 .sheet[data-one-sheet]');
  if (sheet && (a5 || $('.size-a4 .sheet[data-one-sheet]'))) {
    var mm = sheet.offsetWidth / (a5 ? 148 : 210);
    var tooTall = function () {
      sheet.style.minHeight = '0';
      var h = sheet.offsetHeight;
      sheet.style.minHeight = '';
      return h > ((a5 ? 210 : 297) - 5) * mm;
    };
    for (var fit = 1, least = a5 ? 0.85 : 0.75; tooTall() && fit > least + 0.01; ) {
      fit = Math.round((fit - 0.025) * 1000) / 1000;
      sheet.style.setProperty('--fit', String(fit));
    }
    var toA4 = $('.print-toolbar a[href*="size=a4"]');
    var bar = $('.print-toolbar');
    if (bar && tooTall()) {
      // Longer than an A4 too (a procedure named in 1,000 characters, many papers), the page says so: it printed on
      // two sheets, the signatures alone on the second, without a word.
      var note = document.createElement('strong');
      note.className = 'preview-note';
      note.textContent = a5 && toA4
        ? 'Nội dung dài hơn một tờ A5, bản in sẽ sang trang 2: nên in khổ A4.'
        : 'Nội dung dài hơn một tờ A4, bản in sẽ sang trang 2: kiểm tra trang 2 trước khi ký.';
      if (a5 && toA4) toA4.parentNode.insertBefore(note, toA4.nextSibling); else bar.appendChild(note);
    }
  }

  // A date field shows its day in words beside it: the browser writes the field in its own language's order, and on
  // an English one 03/12/2026 is the 12th of March. A clerk sees at once which day was taken. In a toolbar
  // (data-date-words="short") the day is written in numbers: the register's wrapped at 1280 px.
  var WEEKDAYS = ['Chủ nhật', 'Thứ Hai', 'Thứ Ba', 'Thứ Tư', 'Thứ Năm', 'Thứ Sáu', 'Thứ Bảy'];
  document.querySelectorAll('input[type=date]').forEach(function (input) {
    var words = document.createElement('span');
    words.className = 'date-words';
    words.setAttribute('aria-live', 'polite');
    input.insertAdjacentElement('afterend', words);
    var show = function () {
      var m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(input.value);
      var day = m && new Date(Date.UTC(+m[1], +m[2] - 1, +m[3]));
      words.textContent = !day ? '' : input.getAttribute('data-date-words') === 'short'
        ? WEEKDAYS[day.getUTCDay()] + ' ' + m[3] + '/' + m[2] + '/' + m[1]
        : WEEKDAYS[day.getUTCDay()] + ', ngày ' + m[3] + ' tháng ' + m[2] + ' năm ' + m[1];
    };
    input.addEventListener('input', show);
    input.addEventListener('change', show);
    show();
  });

  // Confirm before destructive actions.
  document.querySelectorAll('[data-confirm]').forEach(function (el) {
    el.addEventListener('submit', function (e) {
      if (!window.confirm(el.getAttribute('data-confirm'))) e.preventDefault();
    });
  });
  // The calendar's import replacing whole years asks first; adding to them does not.
  document.querySelectorAll('form[data-confirm-replace]').forEach(function (f) {
    f.addEventListener('submit', function (e) {
      if (f.elements.mode && f.elements.mode.value === 'replace' && !window.confirm(f.getAttribute('data-confirm-replace'))) e.preventDefault();
    });
  });

  // Pickers (the intake's procedure, a transfer's agency): the text box filters the list, marks or none; arrow down
  // moves into it; Enter goes on to the field named by data-filter-next.
  document.querySelectorAll('[data-filter-for]').forEach(function (input) {
    var select = document.getElementById(input.getAttribute('data-filter-for'));
    if (!select) return;
    var next = function () { var el = document.getElementById(input.getAttribute('data-filter-next') || ''); if (el) el.focus(); };
    // The note saying nothing matches is the live one among the notes read with the box (an error, a hint beside it).
    var none = (input.getAttribute('aria-describedby') || '').split(' ').map(function (id) { return id && document.getElementById(id); })
      .filter(function (p) { return p && p.getAttribute('role') === 'status'; })[0] || null;
    var norm = function (s) { return s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/đ/g, 'd').replace(/Đ/g, 'D').toLowerCase(); };
    var options = Array.prototype.slice.call(select.options).map(function (o) { return { el: o, text: norm(o.textContent) }; });
    // Only an item holding the typed words together, in their order, is chosen for the clerk: "khai sinh" also
    // matched a land procedure whose name holds "kê khai" and "phát sinh" apart, and took it. Among those, one holding
    // them as whole words first, then the earliest, then the shortest ("Đăng ký khai sinh" before "… đăng ký khai sinh
    // kết hợp nhận cha, mẹ, con"). Words found only apart still filter the list, without a choice.
    var rank = function (text, phrase) {
      var at = text.indexOf(phrase);
      if (at < 0) return null;
      var whole = new RegExp('(^|[^a-z0-9])' + phrase.replace(/[.*+?^${}()|[\]\\]/g, '\\$&') + '($|[^a-z0-9])').test(text);
      return [whole ? 0 : 1, at, text.length];
    };
    var better = function (a, b) { for (var i = 0; i < 3; i++) if (a[i] !== b[i]) return a[i] < b[i]; return false; };
    input.addEventListener('input', function () {
      var words = norm(input.value).split(/\s+/).filter(Boolean);
      var phrase = words.join(' ');
      var shown = 0, best = null, bestRank = null;
      options.forEach(function (o) {
        var show = words.every(function (w) { return o.text.indexOf(w) >= 0; });
        o.el.hidden = !show;
        o.el.disabled = !show;
        if (!show) return;
        shown++;
        var r = phrase ? rank(o.text, phrase) : null;
        if (r && (!bestRank || better(r, bestRank))) { best = o.el; bestRank = r; }
      });
      select.querySelectorAll('optgroup').forEach(function (g) {
        g.hidden = !Array.prototype.some.call(g.children, function (o) { return !o.hidden; });
      });
      var chosen = select.selectedIndex >= 0 ? select.options[select.selectedIndex] : null;
      if (best && best !== chosen) {
        best.selected = true;
        select.dispatchEvent(new Event('change', { bubbles: true }));
      }
      // Nothing holds the words together: nothing stays chosen (out of sight or by chance), and the clerk is told.
      if (phrase && !best && select.selectedIndex >= 0) {
        select.selectedIndex = -1;
        var preview = document.getElementById('due-preview');
        if (preview && select.id === 'f-procedureCode') preview.textContent = '';
      }
      var what = input.getAttribute('data-filter-what') || 'mục';
      if (none) {
        none.textContent = !shown ? 'Không có ' + what + ' nào khớp “' + input.value.trim() + '”.'
          : phrase && !best ? 'Không có ' + what + ' nào chứa liền cụm “' + input.value.trim() + '”; ' + shown + ' ' + what + ' có các chữ này rời nhau: chọn trong danh sách (mũi tên xuống).'
          : '';
      }
    });
    input.addEventListener('keydown', function (e) {
      if (e.key === 'ArrowDown') {
        e.preventDefault();
        select.focus();
        // Nothing chosen (the words matched only apart): the list's first item, as the arrow would in a list.
        var first = select.selectedIndex < 0 && select.querySelector('option:not([hidden])');
        if (first) { first.selected = true; select.dispatchEvent(new Event('change', { bubbles: true })); }
      }
      if (e.key === 'Enter') {
        e.preventDefault();
        if (select.selectedIndex >= 0) next(); else if (select.querySelector('option:not([hidden])')) select.focus();
      }
    });
    select.addEventListener('keydown', function (e) {
      if (e.key === 'Enter') { e.preventDefault(); if (select.selectedIndex >= 0) next(); }
    });
    select.addEventListener('change', function () { if (none && select.selectedIndex >= 0) none.textContent = ''; });
  });

  // A form typed halfway is kept in the tab (sessionStorage: gone when the tab closes, never sent anywhere) until it is
  // done: when the session ran out meanwhile, or a logout in another tab ended it, sending the form lost everything
  // typed. After logging in again the fresh form (data-fresh) fills itself back, with a note and a way to drop it. The
  // form keeps its draft until the page answering it says ?ok= one of its data-draft-ok (the intake: the dossier or its
  // refusal saved), or Hủy is pressed. Every draft goes at logout.
  var DRAFTS = 'onestop:draft:';
  var tabStore = (function () { try { return window.sessionStorage; } catch (err) { return null; } })();
  var readDraft = function (key) { try { return JSON.parse(tabStore.getItem(DRAFTS + key) || 'null'); } catch (err) { return null; } };
  var dropDraft = function (key) { if (tabStore) tabStore.removeItem(DRAFTS + key); };
  var draftKeys = function () {
    var keys = [];
    for (var i = 0; tabStore && i < tabStore.length; i++) { var k = tabStore.key(i); if (k && k.indexOf(DRAFTS) === 0) keys.push(k.slice(DRAFTS.length)); }
    return keys;
  };
  // A form sent leaves word of its draft and of the answers that mean done (data-draft-ok); the next page drops the
  // draft if it answers one of them (?ok=…), whether or not it shows that form: a supplement request's panel is gone
  // once requested, and its draft came back, filled, when the supplement's panel opened.
  var SENT = 'onestop:sent';
  // A draft fills a fresh form only on the first page after a login in this tab: the session had ended while it was
  // typed. Opened on purpose ("Tiếp nhận" for the next citizen), the intake came back with the last citizen's data,
  // and the next name was typed onto theirs.
  var RELOGIN = 'onestop:relogin';
  var relogged = false;
  try { relogged = tabStore.getItem(RELOGIN) === '1'; tabStore.removeItem(RELOGIN); } catch (err) { relogged = false; }
  document.querySelectorAll('form[action="/dang-nhap"]').forEach(function (f) {
    f.addEventListener('submit', function () { try { tabStore.setItem(RELOGIN, '1'); } catch (err) { /* no storage: no draft either */ } });
  });
  var sent = null;
  try { sent = JSON.parse(tabStore.getItem(SENT) || 'null'); tabStore.removeItem(SENT); } catch (err) { sent = null; }
  var done = new URLSearchParams(location.search).get('ok');
  if (sent && done && sent.ok.indexOf(done) >= 0) dropDraft(sent.key);
  draftSent = function (f) {
    if (tabStore && f.hasAttribute('data-draft')) tabStore.setItem(SENT, JSON.stringify({ key: f.getAttribute('data-draft'), ok: (f.getAttribute('data-draft-ok') || '').split(' ') }));
  };
  document.querySelectorAll('form[action="/dang-xuat"]').forEach(function (f) {
    f.addEventListener('submit', function () { draftKeys().forEach(dropDraft); });
  });
  document.querySelectorAll('[data-drop-draft]').forEach(function (a) {
    a.addEventListener('click', function () { dropDraft(a.getAttribute('data-drop-draft')); });
  });
  document.querySelectorAll('form[data-draft]').forEach(function (f) {
    if (!tabStore) return;
    var key = f.getAttribute('data-draft');
    // Fields whose value alone is the form as served (the intake's channel and number of sets): nothing typed yet.
    var served = (f.getAttribute('data-draft-ignore') || '').split(' ');
    var fields = function () {
      return Array.prototype.filter.call(f.elements, function (el) {
        return el.name && el.name !== '_csrf' && ['hidden', 'search', 'submit', 'button', 'file'].indexOf(el.type) < 0;
      });
    };
    var save = function () {
      var values = fields().map(function (el) { return [el.name, el.type === 'radio' || el.type === 'checkbox' ? (el.checked ? el.value : null) : el.value]; });
      var typed = values.some(function (v) { return served.indexOf(v[0]) < 0 && v[1]; });
      if (typed) tabStore.setItem(DRAFTS + key, JSON.stringify({ page: location.pathname, at: Date.now(), fields: values }));
    };
    f.addEventListener('input', save);
    f.addEventListener('change', save);
    f.addEventListener('submit', save);
    var kept = relogged && f.hasAttribute('data-fresh') && readDraft(key);
    if (!kept) return;
    kept.fields.forEach(function (pair) {
      fields().forEach(function (el) {
        if (el.name !== pair[0] || pair[1] === null) return;
        if (el.type === 'radio' || el.type === 'checkbox') el.checked = el.value === pair[1]; else el.value = pair[1];
      });
    });
    var box = f.closest('details');
    if (box) box.open = true;
    var at = new Date(kept.at);
    var note = document.createElement('p');
    note.className = 'flash info';
    note.setAttribute('role', 'status');
    note.textContent = 'Đã khôi phục ' + (f.getAttribute('data-draft-what') || 'nội dung') + ' đang nhập dở (lúc ' +
      ('0' + at.getHours()).slice(-2) + ':' + ('0' + at.getMinutes()).slice(-2) + '). ';
    var forget = document.createElement('button');
    forget.type = 'button';
    forget.textContent = f.getAttribute('data-draft-forget') || 'Xóa nội dung này';
    forget.addEventListener('click', function () { dropDraft(key); location.reload(); });
    note.appendChild(forget);
    f.parentNode.insertBefore(note, f);
    // The intake's due-date preview below reads the restored procedure when it starts.
  });
  // "Đăng nhập lại" leads back to the page of the form typed last.
  var relogin = $('#log-in-again');
  var latest = null;
  draftKeys().forEach(function (key) { var d = readDraft(key); if (d && (!latest || d.at > latest.at)) latest = d; });
  if (relogin && latest) relogin.href = '/dang-nhap?next=' + encodeURIComponent(latest.page);
  var form = $('#intake-form');

  // Due-date preview while filling the intake form.
  var preview = $('#due-preview');
  if (form && preview) {
    // Only the answer to the latest request is shown: choosing as one types asks for several procedures in a row,
    // and an earlier answer arriving last put its due date under the procedure chosen since.
    var asked = 0;
    var update = function () {
      var proc = form.elements.procedureCode && form.elements.procedureCode.value;
      if (!proc) return;
      var mine = ++asked;
      var params = new URLSearchParams({ procedureCode: proc });
      var d = form.elements.receivedDate && form.elements.receivedDate.value;
      if (d) params.set('receivedAt', d + 'T' + ((form.elements.receivedTime && form.elements.receivedTime.value) || '00:00') + ':00+07:00');
      fetch('/ho-so/han-du-kien?' + params, { headers: { Accept: 'application/json' }, credentials: 'same-origin' })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (data) {
          if (!data || mine !== asked) return;
          preview.textContent = '';
          // The chosen procedure in full: the list cuts long names, and several differ only past the cut.
          var select = form.elements.procedureCode;
          var chosen = select.options && select.selectedIndex >= 0 ? select.options[select.selectedIndex].textContent : '';
          if (chosen) {
            var c = document.createElement('p');
            c.className = 'chosen-procedure';
            c.textContent = 'Thủ tục: ' + chosen;
            preview.appendChild(c);
          }
          var p = document.createElement('p');
          var s = document.createElement('strong');
          s.textContent = 'Hẹn trả kết quả dự kiến: ' + data.dueText;
          p.appendChild(s);
          preview.appendChild(p);
          var ol = document.createElement('ol');
          ol.className = 'trace';
          data.trace.forEach(function (t) { var li = document.createElement('li'); li.textContent = t; ol.appendChild(li); });
          preview.appendChild(ol);
        })
        .catch(function () {});
    };
    form.addEventListener('change', function (e) {
      if (['procedureCode', 'receivedDate', 'receivedTime'].indexOf(e.target.name) >= 0) update();
    });
    update();
  }

  // After intake the receipt button takes the focus: Enter prints.
  var auto = document.querySelector('[data-autofocus="1"]');
  if (auto) auto.focus();
})();

// Apology letters: confirm before a consequential submit button, copy the SMS / e-mail text.
(function () {
  'use strict';
  document.querySelectorAll('button[data-confirm-click]').forEach(function (b) {
    b.addEventListener('click', function (e) {
      if (!window.confirm(b.getAttribute('data-confirm-click'))) e.preventDefault();
    });
  });
  document.querySelectorAll('button[data-copy]').forEach(function (b) {
    b.addEventListener('click', function () {
      var source = document.getElementById(b.getAttribute('data-copy'));
      if (!source) return;
      var done = function () { var label = b.textContent; b.textContent = 'Đã sao chép'; setTimeout(function () { b.textContent = label; }, 1500); };
      if (navigator.clipboard && navigator.clipboard.writeText) navigator.clipboard.writeText(source.value).then(done, function () {});
      else { source.select(); try { document.execCommand('copy'); done(); } catch (err) { /* the text stays selected */ } }
    });
  });
})();

// Dossier import (admin): post the chosen CSV file as text/csv and show the streamed progress and result.
(function () {
  'use strict';
  var form = document.querySelector('form[data-import]');
  if (!form || !window.fetch || !window.TextDecoder) return;
  var fileInput = document.getElementById('import-file');
  var button = document.getElementById('import-submit');
  var box = document.getElementById('import-progress');
  var bar = document.getElementById('import-bar');
  var status = document.getElementById('import-status');
  var out = document.getElementById('import-result');
  var PHASES = { parse: 'Đọc tệp', check: 'Kiểm tra', write: 'Ghi vào cơ sở dữ liệu' };
  var num = function (n) { return String(Math.round(n)).replace(/\B(?=(\d{3})+(?!\d))/g, '.'); };
  var el = function (tag, cls, text) { var e = document.createElement(tag); if (cls) e.className = cls; if (text != null) e.textContent = text; return e; };

  function progress(p) {
    // Three phases share the bar: reading 0–10 %, checking 10–50 %, writing 50–100 %.
    var base = { parse: 0, check: 10, write: 50 }[p.phase] || 0;
    var span = { parse: 10, check: 40, write: 50 }[p.phase] || 0;
    var ratio = p.total ? p.done / p.total : 0;
    bar.value = base + span * ratio;
    status.textContent = (PHASES[p.phase] || p.phase) + ': ' + num(p.done) + (p.total ? ' / ' + num(p.total) : '') + ' dòng · ' + num(p.rowsPerSecond) + ' dòng/giây';
  }

  function showResult(r) {
    out.textContent = '';
    if (r.ok) {
      out.appendChild(el('div', 'flash ok', 'Đã nhập ' + num(r.rows) + ' hồ sơ trong ' + (r.elapsedMs / 1000).toFixed(1).replace('.', ',') + ' giây (' + num(r.rowsPerSecond) +
        ' dòng/giây): giữ mã cũ ' + num(r.keptCodes) + ', cấp mã mới ' + num(r.generatedCodes) + '; ' + r.statusText + '.'));
      var examples = el('p', 'muted', 'Ví dụ: ');
      r.sample.forEach(function (code, i) {
        if (i) examples.appendChild(document.createTextNode(', '));
        var a = el('a', 'code', code);
        a.href = '/ho-so/' + encodeURIComponent(code);
        examples.appendChild(a);
      });
      if (r.sample.length) out.appendChild(examples);
      return;
    }
    out.appendChild(el('div', 'flash error', 'Không nhập: ' + num(r.problems.length) + ' lỗi trong ' + num(r.rows) +
      ' dòng hồ sơ. Chưa ghi gì vào cơ sở dữ liệu; sửa các dòng dưới đây rồi nhập lại cả tệp.'));
    var list = el('ol', 'import-problems');
    r.problems.slice(0, 1000).forEach(function (p) { list.appendChild(el('li', null, p.text)); });
    out.appendChild(list);
    if (r.problems.length > 1000) out.appendChild(el('p', 'muted', '… và ' + num(r.problems.length - 1000) + ' lỗi khác.'));
    var save = el('button', null, 'Tải danh sách lỗi (.txt)');
    save.type = 'button';
    save.addEventListener('click', function () {
      var blob = new Blob([r.problems.map(function (p) { return p.text; }).join('\r\n') + '\r\n'], { type: 'text/plain;charset=utf-8' });
      var a = el('a');
      a.href = URL.createObjectURL(blob);
      a.download = 'loi-nhap-ho-so.txt';
      document.body.appendChild(a);
      a.click();
      setTimeout(function () { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
    });
    out.appendChild(save);
  }

  form.addEventListener('submit', function (e) {
    e.preventDefault();
    var file = fileInput.files && fileInput.files[0];
    if (!file) return;
    button.disabled = true;
    box.hidden = false;
    bar.value = 0;
    status.textContent = 'Đang gửi tệp ' + file.name + '…';
    out.textContent = '';
    var fail = function (message) { box.hidden = true; out.textContent = ''; out.appendChild(el('div', 'flash error', message)); };
    file.text().then(function (text) {
      return fetch(form.action, {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'Content-Type': 'text/csv; charset=utf-8', 'X-CSRF-Token': form.elements._csrf.value, Accept: 'application/x-ndjson' },
        body: text,
      });
    }).then(function (res) {
      if (!res.ok || !res.body) {
        return res.text().then(function (t) {
          var m = /<title>([^<]*)/.exec(t);
          var said = null;
          try { said = JSON.parse(t).error.message; } catch (e) { /* a page, not JSON */ }
          if (said) return fail(said);
          fail(res.status === 413 ? 'Tệp quá lớn để gửi một lần; hãy chia nhỏ tệp.' : res.status === 409 ? 'Đang có một lần nhập dữ liệu khác chạy. Vui lòng đợi rồi thử lại.' : 'Không gửi được tệp (mã ' + res.status + (m ? ', ' + m[1] : '') + ').');
        });
      }
      var reader = res.body.getReader();
      var decoder = new TextDecoder();
      var buffer = '';
      var pump = function () {
        return reader.read().then(function (chunk) {
          buffer += decoder.decode(chunk.value || new Uint8Array(), { stream: !chunk.done });
          var lines = buffer.split('\n');
          buffer = lines.pop();
          lines.forEach(function (line) {
            if (!line.trim()) return;
            var msg = JSON.parse(line);
            if (msg.type === 'progress') progress(msg);
            else if (msg.type === 'result') { bar.value = 100; status.textContent = 'Xong.'; showResult(msg); }
            else if (msg.type === 'error') fail(msg.message);
          });
          if (!chunk.done) return pump();
        });
      };
      return pump();
    }).catch(function () {
      fail('Mất kết nối trong lúc nhập. Kiểm tra lại danh sách hồ sơ trước khi nhập lại: mỗi lần nhập hoặc ghi toàn bộ, hoặc không ghi gì.');
    }).then(function () { button.disabled = false; });
  });
})();

// Report period picker: show only the inputs the chosen kind of period uses (all of them without script).
(function () {
  'use strict';
  var kind = document.querySelector('[data-period-kind]');
  if (!kind) return;
  var toggle = function () {
    document.querySelectorAll('[data-period-for]').forEach(function (el) {
      var show = el.getAttribute('data-period-for').split(' ').indexOf(kind.value) >= 0;
      el.hidden = !show;
      el.querySelectorAll('input, select').forEach(function (i) { i.disabled = !show; });
    });
  };
  kind.addEventListener('change', toggle);
  toggle();
})();

// A file input that fills a textarea with the chosen file's text (the calendar's schedule import): the form then posts
// the text, and without script the text is pasted by hand.
(function () {
  'use strict';
  document.querySelectorAll('input[type=file][data-fills]').forEach(function (input) {
    var target = document.getElementById(input.getAttribute('data-fills'));
    if (!target) return;
    input.addEventListener('change', function () {
      var file = input.files && input.files[0];
      if (!file) return;
      file.text().then(function (text) { target.value = text; target.focus(); });
    });
  });
})();

// A form that comes back with errors: the first field marked in error takes the focus, not the page's first field
// (intake's procedure filter) or nothing (an action's panel).
(function () {
  'use strict';
  if (document.querySelector('[data-autofocus="1"]')) return;
  var first = document.querySelector('.has-error input:not([type=hidden]), .has-error textarea, .has-error select');
  if (first) { first.focus(); return; }
  // A refusal that no field explains (an action on a dossier changed meanwhile in another tab: 409) takes the focus:
  // a screen reader does not read a role="alert" already on the page when it loads, and the clerk heard nothing.
  var refused = document.querySelector('main .flash.error[tabindex]');
  if (refused) { refused.focus(); return; }
  // A page answering a saved action (?ok=…) puts the focus on what it says: a screen reader read nothing of a banner
  // already there when the page loaded, and the focus was at the top of the page.
  var said = document.querySelector('main .flash.ok[tabindex]');
  if (said && /[?&]ok=/.test(location.search) && (!document.activeElement || document.activeElement === document.body)) said.focus();
})();

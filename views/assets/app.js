// Small progressive enhancements; every page works without them.
(function () {
  'use strict';
  var $ = function (sel, root) { return (root || document).querySelector(sel); };

  // "/" focuses the quick search, Ctrl+Enter submits the form being edited, Esc leaves a field.
  document.addEventListener('keydown', function (e) {
    var t = e.target;
    var typing = t && (t.tagName === 'INPUT' || t.tagName === 'TEXTAREA' || t.tagName === 'SELECT' || t.isContentEditable);
    if (e.key === '/' && !typing) {
      var q = $('#quick-q');
      if (q) { e.preventDefault(); q.focus(); }
    } else if (e.key === 'Enter' && (e.ctrlKey || e.metaKey) && t && t.form) {
      e.preventDefault();
      if (t.form.requestSubmit) t.form.requestSubmit(); else t.form.submit();
    }
  });

  // Print buttons on the forms.
  document.querySelectorAll('[data-print]').forEach(function (b) {
    b.addEventListener('click', function () { window.print(); });
  });

  // Confirm before destructive actions.
  document.querySelectorAll('[data-confirm]').forEach(function (el) {
    el.addEventListener('submit', function (e) {
      if (!window.confirm(el.getAttribute('data-confirm'))) e.preventDefault();
    });
  });

  // Procedure picker: the text box filters the grouped list; arrow down moves into it.
  document.querySelectorAll('[data-filter-for]').forEach(function (input) {
    var select = document.getElementById(input.getAttribute('data-filter-for'));
    if (!select) return;
    var norm = function (s) { return s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/đ/g, 'd').replace(/Đ/g, 'D').toLowerCase(); };
    var options = Array.prototype.slice.call(select.options).map(function (o) { return { el: o, text: norm(o.textContent) }; });
    input.addEventListener('input', function () {
      var words = norm(input.value).split(/\s+/).filter(Boolean);
      var first = null;
      options.forEach(function (o) {
        var show = words.every(function (w) { return o.text.indexOf(w) >= 0; });
        o.el.hidden = !show;
        o.el.disabled = !show;
        if (show && !first) first = o.el;
      });
      select.querySelectorAll('optgroup').forEach(function (g) {
        g.hidden = !Array.prototype.some.call(g.children, function (o) { return !o.hidden; });
      });
      if (first && (select.selectedIndex < 0 || select.options[select.selectedIndex].hidden)) {
        first.selected = true;
        select.dispatchEvent(new Event('change', { bubbles: true }));
      }
    });
    input.addEventListener('keydown', function (e) {
      if (e.key === 'ArrowDown') { e.preventDefault(); select.focus(); }
      if (e.key === 'Enter') {
        e.preventDefault();
        if (select.selectedIndex >= 0) { var next = $('#f-applicantName'); if (next) next.focus(); }
      }
    });
    select.addEventListener('keydown', function (e) {
      if (e.key === 'Enter') { e.preventDefault(); var next = $('#f-applicantName'); if (next) next.focus(); }
    });
  });

  // Due-date preview while filling the intake form.
  var form = $('#intake-form');
  var preview = $('#due-preview');
  if (form && preview) {
    var update = function () {
      var proc = form.elements.procedureCode && form.elements.procedureCode.value;
      if (!proc) return;
      var params = new URLSearchParams({ procedureCode: proc });
      var d = form.elements.receivedDate && form.elements.receivedDate.value;
      if (d) params.set('receivedAt', d + 'T' + ((form.elements.receivedTime && form.elements.receivedTime.value) || '00:00') + ':00+07:00');
      fetch('/ho-so/han-du-kien?' + params, { headers: { Accept: 'application/json' }, credentials: 'same-origin' })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (data) {
          if (!data) return;
          preview.textContent = '';
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

/*
 * upsagent's page. It reads what any client reads: the API for details, the
 * event stream (/api/v1/events/stream) for everything that changes, so it
 * shows a change as soon as the agent sees it. No framework: a UPS's card is
 * rebuilt from its state on each change, the variable table updates its
 * value cells, and the charts (uPlot) get each new sample.
 */
/* global document, window, EventSource, fetch, uPlot, confirm, setTimeout, clearTimeout, setInterval, ResizeObserver */
'use strict';
(() => {
  const settings = JSON.parse(document.querySelector('meta[name="upsagent-settings"]').content);
  const WINDOW_S = 24 * 3600;

  /** name (as configured) -> { summary, vars, commands, detail, history, charts, els } */
  const upses = new Map();
  let monitor = null;
  /** When the monitor's view came: its on-battery times are counted on from there. */
  let monitorAt = Date.now();
  let events = [];
  let session = { user: null, set: false, fsd: false, commands: {} };
  let csrf = null;
  let stream = null;

  // For tests and the curious: the charts and the state the page renders from.
  window.upsagent = { upses, charts: {} };

  // ---- small helpers -----------------------------------------------------

  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === undefined || v === null || v === false) continue;
      if (k === 'class') e.className = v;
      else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
      else if (k === 'text') e.textContent = v;
      else e.setAttribute(k, v === true ? '' : String(v));
    }
    for (const c of children.flat()) if (c !== null && c !== undefined && c !== false) e.append(c instanceof window.Node ? c : document.createTextNode(String(c)));
    return e;
  }

  /** replaceChildren without the null/false placeholders of optional parts. */
  function fill(node, ...children) {
    node.replaceChildren(...children.flat().filter((c) => c !== null && c !== undefined && c !== false));
  }

  const key = (name) => name.toLowerCase();
  const byName = (name) => upses.get(key(name));

  async function api(method, path, body) {
    const headers = { Accept: 'application/json' };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (csrf && method !== 'GET') headers['X-CSRF-Token'] = csrf;
    const r = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'same-origin', cache: 'no-store' });
    let doc = null;
    try {
      doc = await r.json();
    } catch {
      doc = null;
    }
    return { status: r.status, body: doc };
  }

  function duration(s) {
    const t = Math.max(0, Math.round(s));
    if (t < 60) return `${t} s`;
    if (t < 3600) return `${Math.floor(t / 60)} min${t % 60 ? ` ${t % 60} s` : ''}`;
    const m = Math.floor((t % 3600) / 60);
    return `${Math.floor(t / 3600)} h${m ? ` ${m} min` : ''}`;
  }

  const num = (v) => (typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v)) ? Number(v) : null);
  const fixed = (v, digits) => (v === null ? null : Number.isInteger(v) && digits === 0 ? String(v) : v.toFixed(digits));

  // ---- status in words and colour (upsstats' words) -----------------------

  const FLAG_WORDS = {
    OL: 'On line power', OB: 'On battery', LB: 'Low battery', HB: 'High battery', RB: 'Replace battery',
    CHRG: 'Charging', DISCHRG: 'Discharging', BYPASS: 'On bypass', CAL: 'Calibrating', OFF: 'Off',
    OVER: 'Overloaded', TRIM: 'Trimming voltage', BOOST: 'Boosting voltage', FSD: 'Forced shutdown',
    ALARM: 'Alarm', WAIT: 'Waiting for data', ECO: 'ECO mode',
  };

  function stateOf(u) {
    const s = u.summary || {};
    if (s.available === false) {
      const why = s.problem === 'DATA-STALE' ? 'Data stale' : 'Driver not connected';
      return { words: why, level: 'bad' };
    }
    const status = String(s.status ?? u.vars['ups.status'] ?? '');
    const flags = status.split(/\s+/).filter(Boolean);
    if (flags.length === 0) return { words: 'No status yet', level: 'unknown' };
    const words = flags.map((f) => FLAG_WORDS[f] || f).join(', ');
    let level = 'unknown';
    if (flags.includes('OL')) level = 'ok';
    if (['OB', 'BYPASS', 'CAL', 'ALARM', 'RB', 'TRIM', 'BOOST', 'OVER'].some((f) => flags.includes(f))) level = 'warn';
    if (['LB', 'FSD', 'OFF'].some((f) => flags.includes(f)) || (flags.includes('OB') && flags.includes('OVER'))) level = 'bad';
    if (flags.includes('WAIT')) level = 'unknown';
    return { words, level };
  }

  function temperature(vars) {
    for (const name of ['ups.temperature', 'battery.temperature', 'ambient.temperature']) {
      const c = num(vars[name]);
      if (c === null) continue;
      return settings.temperature === 'F' ? `${(c * 9 / 5 + 32).toFixed(1)} °F` : `${c.toFixed(1)} °C`;
    }
    return null;
  }

  function supplyOf(name) {
    if (!monitor) return null;
    return monitor.supplies.find((s) => key(s.name) === key(name) || key(s.name.split('@')[0]) === key(name)) || null;
  }

  /** The monitor's view of a supply in words, as `upsagent status` says it. */
  function supplyWords(s) {
    const flags = s.status.split(' ');
    const parts = [];
    if (s.comm === 'lost') parts.push(`not answering for ${duration(s.lastPollAgoS)}`);
    else if (s.comm === 'unknown') parts.push('not reached yet');
    if (flags.includes('OB')) parts.push(`on battery${s.onBatteryForS !== null ? ` for ${duration(s.onBatteryForS + (Date.now() - monitorAt) / 1000)}` : ''}`);
    else if (flags.includes('OL')) parts.push('on line power');
    if (flags.includes('LB')) parts.push('low battery');
    return `${parts.join(', ') || 'no status yet'} (${s.role}, power value ${s.powerValue})`;
  }

  // ---- the card: every UPS at a glance --------------------------------------

  function figure(label, value, extra) {
    return el('div', {}, el('dt', { text: label }), el('dd', { 'data-figure': label.toLowerCase() }, value ?? '–'), extra || null);
  }

  function volts(vars, side) {
    const v = num(vars[`${side}.voltage`]);
    const f = num(vars[`${side}.frequency`]);
    if (v === null && f === null) return null;
    return [v !== null ? `${fixed(v, 1)} V` : null, f !== null ? `${fixed(f, 1)} Hz` : null].filter(Boolean).join(' · ');
  }

  function renderCard(u) {
    const { vars } = u;
    const st = stateOf(u);
    const charge = num(vars['battery.charge']);
    const low = num(vars['battery.charge.low']);
    const runtime = num(vars['battery.runtime']);
    const load = num(vars['ups.load']);
    const sup = supplyOf(u.name);
    const view = sup
      ? el(
          'div',
          { class: 'view' },
          el('p', {}, el('strong', { text: 'Monitor: ' }), supplyWords(sup)),
          el('p', { class: 'next' }, el('strong', { text: 'Next: ' }), sup.next),
        )
      : null;
    u.els.card.className = `card ${st.level}`;
    fill(u.els.card,
      el('h2', {}, el('a', { href: `#ups-${encodeURIComponent(u.name)}`, text: u.name })),
      u.summary.description ? el('p', { class: 'desc', text: u.summary.description }) : null,
      el('span', { class: `state ${st.level}`, 'data-state': String(u.summary.status ?? ''), text: st.words }),
      el(
        'dl',
        { class: 'figures' },
        figure('Charge', charge !== null ? `${fixed(charge, 0)} %` : null, charge !== null ? el('div', { class: `bar${low !== null && charge <= low ? ' low' : ''}` }, el('span', { style: `width:${Math.max(0, Math.min(100, charge))}%` })) : null),
        figure('Runtime', runtime !== null ? duration(runtime) : null),
        figure('Load', load !== null ? `${fixed(load, 0)} %` : null),
        figure('Temperature', temperature(vars)),
        figure('Input', volts(vars, 'input')),
        figure('Output', volts(vars, 'output')),
      ),
      view,
    );
  }

  // ---- charts ---------------------------------------------------------------

  const CHARTS = [
    { id: 'charge', title: 'Charge (%)', series: [{ key: 'charge', label: 'Charge %', stroke: '#1f8a4c' }], range: [0, 100] },
    { id: 'load', title: 'Load (%)', series: [{ key: 'load', label: 'Load %', stroke: '#c77800' }], range: [0, 100] },
    { id: 'voltage', title: 'Voltage (V)', series: [{ key: 'inputVoltage', label: 'Input V', stroke: '#2456c9' }, { key: 'outputVoltage', label: 'Output V', stroke: '#8e44ad' }] },
    { id: 'runtime', title: 'Runtime (min)', series: [{ key: 'runtime', label: 'Runtime min', stroke: '#c62828' }], scale: 1 / 60 },
  ];

  function emptyHistory() {
    return { t: [], charge: [], load: [], inputVoltage: [], outputVoltage: [], runtime: [] };
  }

  function chartData(h, c) {
    return [h.t, ...c.series.map((s) => (c.scale ? h[s.key].map((v) => (v === null ? null : Math.round(v * c.scale * 10) / 10)) : h[s.key]))];
  }

  function makeCharts(u) {
    if (typeof uPlot !== 'function') return;
    const charts = {};
    for (const c of CHARTS) {
      const box = u.els.charts.querySelector(`[data-chart="${c.id}"] .plot`);
      const width = Math.max(240, box.clientWidth || 300);
      const opts = {
        width,
        height: 170,
        scales: { x: { time: true }, y: c.range ? { range: c.range } : {} },
        series: [{}, ...c.series.map((s) => ({ label: s.label, stroke: s.stroke, width: 2, spanGaps: false }))],
        axes: [{ stroke: '#888' }, { stroke: '#888', size: 45 }],
        legend: { show: true },
      };
      charts[c.id] = new uPlot(opts, chartData(u.history, c), box);
    }
    u.charts = charts;
    window.upsagent.charts[u.name] = charts;
    if (typeof ResizeObserver === 'function') {
      new ResizeObserver(() => {
        for (const c of CHARTS) {
          const box = u.els.charts.querySelector(`[data-chart="${c.id}"] .plot`);
          if (box.clientWidth > 0 && charts[c.id].width !== box.clientWidth) charts[c.id].setSize({ width: box.clientWidth, height: 170 });
        }
      }).observe(u.els.charts);
    }
  }

  function redrawCharts(u) {
    if (!u.charts) return;
    for (const c of CHARTS) u.charts[c.id].setData(chartData(u.history, c));
  }

  function addSample(u, s) {
    const h = u.history;
    if (h.t.length && s.t <= h.t[h.t.length - 1]) return;
    h.t.push(s.t);
    for (const k of ['charge', 'load', 'inputVoltage', 'outputVoltage', 'runtime']) h[k].push(s[k] ?? null);
    // Keep the 24 h window the agent keeps.
    let drop = 0;
    while (drop < h.t.length && h.t[drop] < s.t - WINDOW_S) drop++;
    if (drop) for (const k of Object.keys(h)) h[k].splice(0, drop);
    redrawCharts(u);
  }

  async function loadHistory(u) {
    const r = await api('GET', `/api/v1/ups/${encodeURIComponent(u.name)}/history`);
    if (r.status !== 200 || !r.body) return;
    const h = emptyHistory();
    for (const k of Object.keys(h)) h[k] = Array.isArray(r.body[k]) ? r.body[k] : [];
    // Samples that came on the stream while the request was under way stay.
    const last = h.t.length ? h.t[h.t.length - 1] : -Infinity;
    const later = u.history.t.map((t, i) => [t, i]).filter(([t]) => t > last);
    for (const [t, i] of later) {
      h.t.push(t);
      for (const k of ['charge', 'load', 'inputVoltage', 'outputVoltage', 'runtime']) h[k].push(u.history[k][i]);
    }
    u.history = h;
    redrawCharts(u);
  }

  // ---- variables and commands -----------------------------------------------

  function valueText(v) {
    return v === undefined || v === null ? '' : String(v);
  }

  function setForm(u, d) {
    const input = d.enum.length
      ? el('select', { name: 'value', 'aria-label': `new value of ${d.name}` }, d.enum.map((o) => el('option', { value: o, selected: String(d.value) === o, text: o })))
      : el('input', {
          name: 'value',
          'aria-label': `new value of ${d.name}`,
          value: valueText(d.value),
          inputmode: d.type === 'number' ? 'decimal' : undefined,
          maxlength: d.maxLength,
          placeholder: d.range.length ? d.range.map((r) => `${r.min}–${r.max}`).join(', ') : undefined,
        });
    u.els.inputs.set(d.name, input);
    const result = el('span', { class: 'result', role: 'status' });
    const form = el(
      'form',
      {
        class: 'set-form',
        'data-set': d.name,
        onsubmit: async (ev) => {
          ev.preventDefault();
          result.textContent = 'setting…';
          const r = await api('PUT', `/api/v1/ups/${encodeURIComponent(u.name)}/vars/${encodeURIComponent(d.name)}`, { value: input.value });
          result.textContent = r.body ? (r.body.message || r.body.result || r.body.error) : `HTTP ${r.status}`;
          result.className = `result ${r.status < 300 ? '' : 'error'}`;
        },
      },
      input,
      el('button', { type: 'submit', text: 'Set' }),
      result,
    );
    return form;
  }

  function renderVars(u) {
    const d = u.detail;
    const body = el('tbody');
    u.els.valueCells = new Map();
    u.els.inputs = new Map();
    const names = new Set();
    for (const v of d ? d.vars : []) {
      names.add(v.name);
      const cell = el('td', { class: 'value', text: valueText(u.vars[v.name] ?? v.value) });
      u.els.valueCells.set(v.name, cell);
      const writable = v.writable && session.set;
      body.append(el('tr', { 'data-var': v.name }, el('td', { class: 'name' }, el('code', { text: v.name }), el('div', { class: 'muted', text: v.description })), cell, el('td', {}, writable ? setForm(u, v) : v.writable ? el('span', { class: 'muted', text: session.user ? 'no right to set' : 'writable (log in)' }) : null)));
    }
    u.els.vars.replaceChildren(el('table', {}, el('thead', {}, el('tr', {}, el('th', { text: 'Variable' }), el('th', { text: 'Value' }), el('th', { text: '' }))), body));
    u.knownVars = names;
  }

  function renderCommands(u) {
    const cmds = u.detail ? u.detail.commands : [];
    const allowed = new Set((session.commands[u.name] || []).map(key));
    const list = el('ul', { class: 'commands' });
    for (const c of cmds) {
      const result = el('span', { class: 'result', role: 'status' });
      const may = allowed.has(key(c.name));
      list.append(
        el(
          'li',
          {},
          el('button', {
            type: 'button',
            'data-cmd': c.name,
            title: c.description,
            disabled: !may,
            text: c.name,
            onclick: async () => {
              if (!confirm(`Run ${c.name} on ${u.name}?\n${c.description}`)) return;
              result.textContent = 'running…';
              const r = await api('POST', `/api/v1/ups/${encodeURIComponent(u.name)}/commands/${encodeURIComponent(c.name)}`, {});
              if (r.status === 401) openLogin('Running a command needs a login.');
              result.textContent = r.body ? (r.body.message || r.body.result || r.body.error) : `HTTP ${r.status}`;
              result.className = `result ${r.status < 300 ? '' : 'error'}`;
            },
          }),
          el('span', { class: 'muted', text: ` ${c.description}` }),
          result,
        ),
      );
    }
    const note = cmds.length === 0 ? 'No instant commands.' : !session.user ? 'Log in to run instant commands.' : allowed.size === 0 ? `${session.user} may not run commands on this UPS.` : null;
    fill(u.els.commands, note ? el('p', { class: 'muted', text: note }) : null, list);
  }

  const detailTimers = new Map();
  function refreshDetail(u, soon) {
    clearTimeout(detailTimers.get(u.name));
    detailTimers.set(
      u.name,
      setTimeout(async () => {
        const r = await api('GET', `/api/v1/ups/${encodeURIComponent(u.name)}`);
        if (r.status !== 200) return;
        u.detail = r.body;
        renderVars(u);
        renderCommands(u);
      }, soon ? 200 : 0),
    );
  }

  // ---- one UPS: card + detail section -----------------------------------------

  function addUps(device) {
    const u = { name: device.name, summary: { ...device }, vars: { ...device.vars }, commands: device.commands || [], detail: null, history: emptyHistory(), charts: null, els: {} };
    delete u.summary.vars;
    u.els.card = el('article', { class: 'card', 'data-ups': u.name });
    u.els.charts = el('div', { class: 'charts' }, CHARTS.map((c) => el('div', { class: 'chart', 'data-chart': c.id }, el('h3', { text: c.title }), el('div', { class: 'plot' }))));
    u.els.vars = el('div', { class: 'vars' });
    u.els.commands = el('div');
    u.els.section = el(
      'section',
      { class: 'panel', id: `ups-${u.name}`, 'data-detail': u.name },
      el('h2', { text: `${u.name}${device.description ? ` — ${device.description}` : ''}` }),
      el('h3', { text: 'Last 24 hours' }),
      u.els.charts,
      el('h3', { text: 'Instant commands' }),
      u.els.commands,
      el('details', {}, el('summary', { text: 'All variables, with their descriptions' }), u.els.vars),
    );
    document.getElementById('overview').append(u.els.card);
    document.getElementById('details').append(u.els.section);
    upses.set(key(u.name), u);
    renderCard(u);
    // bench/http-page.ts reads this: navigation to the first UPS on screen.
    if (upses.size === 1) window.performance.mark('upsagent:first-ups');
    makeCharts(u);
    void loadHistory(u);
    refreshDetail(u, false);
    return u;
  }

  // ---- monitor and events ---------------------------------------------------

  function renderMonitor() {
    const box = document.getElementById('monitor');
    if (!monitor) {
      box.hidden = true;
      return;
    }
    box.hidden = false;
    box.className = `panel${monitor.shutdown ? ' alert' : ''}`;
    fill(box,
      el('h2', { text: 'Monitor' }),
      el('p', { text: `${monitor.healthy} of at least ${monitor.minSupplies} power supplies healthy${monitor.dryRun ? ' (dry run: a shutdown is only logged)' : ''}` }),
      monitor.shutdown ? el('p', { class: 'error', text: `Shutdown since ${new Date(monitor.shutdown.at).toLocaleString()}: ${monitor.shutdown.reason} (${monitor.shutdown.step})` }) : null,
    );
    for (const u of upses.values()) renderCard(u);
  }

  function renderEvents() {
    const list = document.getElementById('event-list');
    document.getElementById('events-empty').hidden = events.length > 0;
    fill(
      list,
      events
        .slice(-200)
        .reverse()
        .map((e) => el('li', { 'data-type': e.type }, el('time', { datetime: new Date(e.at).toISOString(), text: new Date(e.at).toLocaleString() }), el('span', { class: 'type', text: e.type }), e.ups ? el('code', { text: `${e.ups} ` }) : null, e.message)),
    );
  }

  async function loadEvents() {
    const r = await api('GET', '/api/v1/events?limit=200');
    if (r.status === 200 && Array.isArray(r.body)) {
      events = r.body;
      renderEvents();
    }
  }

  // ---- the event stream -------------------------------------------------------

  function onSnapshot(snap) {
    monitor = snap.monitor;
    monitorAt = Date.now();
    const seen = new Set();
    for (const d of snap.devices) {
      seen.add(key(d.name));
      const u = byName(d.name);
      if (!u) addUps(d);
      else {
        u.vars = { ...d.vars };
        u.commands = d.commands || [];
        u.summary = { ...d };
        delete u.summary.vars;
        renderCard(u);
        refreshDetail(u, false);
        void loadHistory(u);
      }
    }
    // A UPS gone from the configuration (a reload) leaves the page too.
    for (const [k, u] of upses) {
      if (seen.has(k)) continue;
      u.els.card.remove();
      u.els.section.remove();
      upses.delete(k);
      delete window.upsagent.charts[u.name];
    }
    renderMonitor();
    void loadEvents();
  }

  function connect() {
    if (stream) stream.close();
    const live = document.getElementById('live');
    stream = new EventSource('/api/v1/events/stream');
    const on = (type, fn) =>
      stream.addEventListener(type, (ev) => {
        try {
          fn(JSON.parse(ev.data));
        } catch (err) {
          window.console.error(`event ${type}:`, err);
        }
      });
    stream.onopen = () => {
      live.textContent = 'live';
      live.className = 'live on';
    };
    stream.onerror = () => {
      live.textContent = 'reconnecting';
      live.className = 'live off';
    };
    on('snapshot', onSnapshot);
    on('vars', (e) => {
      const u = byName(e.ups);
      if (!u) return;
      let unknown = false;
      for (const [name, value] of Object.entries(e.vars)) {
        if (value === null) delete u.vars[name];
        else u.vars[name] = value;
        const cell = u.els.valueCells && u.els.valueCells.get(name);
        if (cell) cell.textContent = valueText(value);
        else if (u.detail) unknown = true;
        // The edit field follows the value unless someone is typing in it.
        const input = u.els.inputs && u.els.inputs.get(name);
        if (input && document.activeElement !== input && value !== null) input.value = valueText(value);
      }
      renderCard(u);
      if (unknown) refreshDetail(u, true);
    });
    on('status', (e) => {
      const u = byName(e.ups);
      if (!u) return;
      u.vars['ups.status'] = e.to;
      u.summary.status = e.to;
      renderCard(u);
    });
    on('ups', (s) => {
      const u = byName(s.name);
      if (!u) return;
      const was = u.summary.available;
      u.summary = s;
      renderCard(u);
      if (was !== s.available) refreshDetail(u, true);
    });
    on('commands', (e) => {
      const u = byName(e.ups);
      if (u) refreshDetail(u, true);
    });
    on('monitor', (v) => {
      monitor = v;
      monitorAt = Date.now();
      renderMonitor();
    });
    on('notify', (e) => {
      events.push(e);
      if (events.length > 500) events = events.slice(-200);
      renderEvents();
    });
    on('sample', (e) => {
      const u = byName(e.ups);
      if (u) addSample(u, e.sample);
    });
  }

  // ---- login ----------------------------------------------------------------

  function renderWho() {
    const who = document.getElementById('who');
    if (session.user) {
      who.replaceChildren(
        el('span', { text: `${session.user} ` }),
        el('button', {
          type: 'button',
          class: 'secondary',
          id: 'logout',
          text: 'Log out',
          onclick: async () => {
            await api('POST', '/api/v1/auth/logout');
            session = { user: null, set: false, fsd: false, commands: {} };
            csrf = null;
            rerenderRights();
          },
        }),
      );
    } else who.replaceChildren(el('button', { type: 'button', id: 'login-open', text: 'Log in', onclick: () => openLogin() }));
  }

  function rerenderRights() {
    renderWho();
    for (const u of upses.values()) {
      if (!u.detail) continue;
      renderVars(u);
      renderCommands(u);
    }
  }

  function openLogin(why) {
    const dlg = document.getElementById('login');
    document.getElementById('login-why').textContent = why || "A user of the agent's users: section.";
    document.getElementById('login-error').textContent = '';
    if (!dlg.open) dlg.showModal();
  }

  let afterLogin = null;
  function setupLogin() {
    const dlg = document.getElementById('login');
    const form = document.getElementById('login-form');
    document.getElementById('login-cancel').addEventListener('click', () => dlg.close());
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      const data = new window.FormData(form);
      const r = await api('POST', '/api/v1/auth/login', { username: data.get('username'), password: data.get('password') });
      if (r.status !== 200) {
        document.getElementById('login-error').textContent = r.body ? r.body.message : `HTTP ${r.status}`;
        return;
      }
      form.reset();
      dlg.close();
      csrf = r.body.csrfToken;
      session = r.body;
      rerenderRights();
      if (afterLogin) {
        const next = afterLogin;
        afterLogin = null;
        next();
      }
    });
  }

  async function main() {
    setupLogin();
    // The time on battery counts up between the monitor's updates.
    setInterval(() => {
      if (monitor && monitor.supplies.some((s) => s.onBatteryForS !== null)) for (const u of upses.values()) renderCard(u);
    }, 1000);
    // Both at once: the first UPS shows one round trip sooner.
    const [s, probe] = await Promise.all([api('GET', '/api/v1/auth/session'), api('GET', '/api/v1/info')]);
    if (s.status === 200 && s.body) {
      session = s.body;
      csrf = s.body.csrfToken || null;
    }
    renderWho();
    // With http.readRequiresLogin the stream needs the session too: log in first.
    if (probe.status === 401) {
      afterLogin = connect;
      openLogin('Reading needs a login on this agent.');
      return;
    }
    connect();
  }

  void main();
})();

// The dashboard: polls /api/v1 every two seconds (the session cookie authenticates) and redraws.
'use strict';
const api = '/api/v1';
const pollMs = 2000;
const busySeen = new Map(); // worker -> { busy, at } of the previous poll, for utilisation
let polls = 0;

const esc = s => String(s ?? '').replace(/[&<>"']/g, c => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
const num = n => Number(n ?? 0).toLocaleString('en-US');
const pct = x => `${Math.round(100 * Math.max(0, Math.min(1, x)))}%`;
const bar = x => `<span class="bar"><span style="width:${pct(x)}"></span></span> ${pct(x)}`;
const duration = s => s >= 3600 ? `${Math.floor(s / 3600)}h${String(Math.floor(s % 3600 / 60)).padStart(2, '0')}m` : s >= 60 ? `${Math.floor(s / 60)}m${String(Math.floor(s % 60)).padStart(2, '0')}s` : `${Math.round(s)}s`;
const table = (head, rows) => rows.length === 0 ? '<p class="muted">none</p>'
  : `<table><tr>${head.map(h => `<th>${h}</th>`).join('')}</tr>${rows.join('')}</table>`;

async function get(path) {
  const response = await fetch(api + path, { credentials: 'same-origin', headers: { Accept: 'application/json' } });
  if (response.status === 401) { location.href = '/'; throw new Error('signed out'); }
  if (!response.ok) throw new Error(`${path}: ${response.status} ${(await response.json().catch(() => ({}))).error ?? ''}`);
  return response.json();
}

function utilisation(worker, at) {
  const previous = busySeen.get(worker.worker);
  busySeen.set(worker.worker, { busy: worker.busySeconds, at });
  if (!previous || at <= previous.at) return null;
  return (worker.busySeconds - previous.busy) / ((at - previous.at) / 1000);
}

function drawCluster(c) {
  const at = Date.now();
  document.getElementById('pending').innerHTML =
    `<span id="pending-cells" data-cells="${c.pending.cells}">${num(c.pending.cells)} cells</span>, ${num(c.pending.batches)} batches on ${c.pending.slides} slide(s)`;
  document.getElementById('silos').innerHTML = table(['silo', 'address', 'status', 'uptime', 'devices'], c.silos.map(s =>
    `<tr data-silo="${esc(s.name)}"><td>${esc(s.name)}</td><td>${esc(s.address)}</td><td>${esc(s.status)}</td><td class="num">${duration(s.uptimeSeconds)}</td><td>${esc(s.devices.join(', '))}</td></tr>`));
  document.getElementById('workers').innerHTML = table(['worker', 'device', 'utilisation', 'in flight', 'batches', 'cells', 'cells/s (1 min)', 'model', 'last error'], c.workers.map(w => {
    const u = utilisation(w, at);
    return `<tr data-worker="${esc(w.worker)}"><td>${esc(w.worker)}</td><td>${esc(w.device)}</td><td>${u === null ? '<span class="muted">measuring</span>' : bar(u)}</td>` +
      `<td class="num">${w.inFlight}</td><td class="num">${num(w.batchesDone)}</td><td class="num">${num(w.cellsDone)}</td><td class="num">${num(Math.round(w.cellsPerSecond))}</td>` +
      `<td>${esc(w.loadedWeights ? w.loadedWeights.split('/').pop() : 'none')}</td><td>${esc(w.lastError ?? '')}</td></tr>`;
  }));
  document.getElementById('cohorts').innerHTML = table(['cohort', 'state', 'progress', 'slides', 'cells', 'submitted'], c.cohorts.map(k =>
    `<tr data-cohort="${esc(k.cohortId)}" data-state="${k.state}" data-cells-done="${k.cellsDone}"><td>${esc(k.cohortId)}</td><td class="${k.state}">${k.state}</td>` +
    `<td>${bar(k.progress)}</td><td class="num">${k.slidesCompleted}/${k.slides}${k.slidesFailed ? `, ${k.slidesFailed} failed` : ''}</td>` +
    `<td class="num">${num(k.cellsDone)}/${num(k.cellsTotal)}</td><td>${esc(new Date(k.submittedAt).toLocaleString())}</td></tr>`));
  document.getElementById('training').innerHTML = table(['run', 'state', 'epoch', 'step', 'loss', 'val. accuracy', 'patches/s', 'trainers'], c.training.map(t =>
    `<tr data-run="${esc(t.runId)}" data-state="${t.state}"><td>${esc(t.runId)}</td><td class="${t.state}">${t.state}</td><td class="num">${t.epoch}/${t.epochs}</td>` +
    `<td class="num">${t.step}/${t.stepsPerEpoch}</td><td class="num">${t.lastLoss?.toFixed(4) ?? ''}</td><td class="num">${t.validationAccuracy === null ? '' : pct(t.validationAccuracy)}</td>` +
    `<td class="num">${Math.round(t.patchesPerSecond)}</td><td class="num">${t.trainers}</td></tr>`));
}

// Running cohorts and the three most recent: a tile per slide with its progress, and its heatmap once it completed.
async function drawCohorts(cohorts) {
  const shown = cohorts.filter((k, i) => k.state === 'Running' || k.state === 'Pending' || i < 3);
  const details = await Promise.all(shown.map(k => get(`/cohorts/${encodeURIComponent(k.cohortId)}`)));
  document.getElementById('cohort-details').innerHTML = details.map(status => {
    const id = encodeURIComponent(status.cohortId);
    return `<h3>cohort ${esc(status.cohortId)} <span class="${status.state}">${status.state}</span></h3><div class="slides">` + status.slides.map(s => {
      const share = s.cellsTotal > 0 ? s.cellsDone / s.cellsTotal : (s.state === 'Completed' ? 1 : 0);
      const heatmap = s.state === 'Completed'
        ? `<img class="heatmap" alt="heatmap of ${esc(s.slideId)}" src="${api}/cohorts/${id}/slides/${encodeURIComponent(s.slideId)}/heatmap">` : '';
      return `<div class="slide" data-cohort-slide="${esc(status.cohortId)}" data-slide="${esc(s.slideId)}" data-state="${s.state}" data-cells-done="${s.cellsDone}"><b>${esc(s.slideId)}</b> <span class="${s.state}">${s.state}</span><br>` +
        `${bar(share)}<br><span class="muted">${num(s.cellsDone)}/${num(s.cellsTotal)} cells, batch ${s.batchesDone}/${s.batchesTotal}${s.lesions ? `, ${s.lesions} lesion(s)` : ''}</span>` +
        `${s.error ? `<br><span class="Failed">${esc(s.error)}</span>` : ''}${heatmap}</div>`;
    }).join('') + '</div>';
  }).join('');
}

// A polyline per series over the same x range (epochs or steps), scaled to the series' own range.
function curves(title, series) {
  const w = 360, h = 140, pad = 24;
  const colours = ['#1d4ed8', '#b91c1c', '#15803d', '#a16207'];
  const lines = series.filter(s => s.values.length > 0).map((s, i) => {
    const lo = Math.min(...s.values), hi = Math.max(...s.values), span = hi - lo || 1;
    const pts = s.values.map((v, j) => `${(pad + j * (w - 2 * pad) / Math.max(1, s.values.length - 1)).toFixed(1)},${(h - pad - (v - lo) / span * (h - 2 * pad)).toFixed(1)}`);
    return `<polyline fill="none" stroke="${colours[i % 4]}" stroke-width="1.5" points="${pts.join(' ')}"/>` +
      `<text x="${pad + i * 120}" y="14" font-size="11" fill="${colours[i % 4]}">${esc(s.name)} ${s.values.at(-1).toFixed(3)}</text>`;
  });
  return `<figure style="display:inline-block;margin:0 1em 1em 0"><figcaption>${esc(title)}</figcaption><svg class="curve" width="${w}" height="${h}">${lines.join('')}</svg></figure>`;
}

async function drawTraining(runs) {
  const details = await Promise.all(runs.slice(0, 3).map(t => get(`/training/${encodeURIComponent(t.runId)}`)));
  document.getElementById('training-details').innerHTML = details.map(r => {
    const epochs = r.history ?? [];
    return `<h3>run ${esc(r.runId)} <span class="${r.state}">${r.state}</span></h3>` +
      curves('loss per step', [{ name: 'train', values: r.stepLosses ?? [] }]) +
      curves('loss per epoch', [{ name: 'train', values: epochs.map(e => e.trainLoss) }, { name: 'validation', values: epochs.filter(e => e.validationLoss !== null).map(e => e.validationLoss) }]) +
      curves('accuracy per epoch', [{ name: 'train', values: epochs.map(e => e.trainAccuracy) }, { name: 'validation', values: epochs.filter(e => e.validationAccuracy !== null).map(e => e.validationAccuracy) }]);
  }).join('');
}

async function poll() {
  try {
    const cluster = await get('/cluster');
    drawCluster(cluster);
    await Promise.all([drawCohorts(cluster.cohorts), drawTraining(cluster.training)]);
    polls++;
    document.body.dataset.polls = polls;
    document.getElementById('updated').textContent = new Date().toLocaleTimeString();
    document.getElementById('error').textContent = '';
  } catch (e) {
    document.getElementById('error').textContent = e.message;
  } finally {
    setTimeout(poll, pollMs);
  }
}
poll();

'use strict';
/*
 * The cluster view: the machines and their roles, the leader's peer latency, this member's store
 * operation rates and its own statistics. Refreshed every second while visible.
 */
var ClusterView = (function () {
  var WINDOW_MS = 60000;
  var latency = {};      // follower name -> [{t, v}]
  var rates = {};        // operation kind -> [{t, v}]
  var lastStore = null;  // {t, counters}
  var timer = null;
  var active = false;

  function text(tag, content, className) {
    var node = document.createElement(tag);
    node.textContent = content === undefined || content === null ? '' : String(content);
    if (className) { node.className = className; }
    return node;
  }

  function trim(series, now) {
    Object.keys(series).forEach(function (k) {
      series[k] = series[k].filter(function (p) { return now - p.t <= WINDOW_MS; });
    });
  }

  function parseMachines(data) {
    var nodes = (data.node && data.node.nodes) || [];
    return nodes.map(function (n) {
      var fields = new URLSearchParams(n.value || '');
      return { name: n.key.split('/').pop(), client: fields.get('etcd') || '', peer: fields.get('raft') || '' };
    }).sort(function (a, b) { return a.name < b.name ? -1 : a.name > b.name ? 1 : 0; });
  }

  function ms(v) { return typeof v === 'number' ? v.toFixed(v < 10 ? 2 : 1) + ' ms' : '—'; }

  function renderMachines(machines, leaderName, leaderStats) {
    var body = document.querySelector('#machines tbody');
    body.replaceChildren();
    machines.forEach(function (m) {
      var row = document.createElement('tr');
      var isLeader = m.name === leaderName;
      row.setAttribute('data-name', m.name);
      row.setAttribute('data-role', isLeader ? 'leader' : 'follower');
      if (isLeader) { row.className = 'leader'; }
      var name = text('td', m.name);
      if (m.name === App.self.name) { name.appendChild(text('span', 'this member', 'tag')); }
      row.appendChild(name);
      row.appendChild(text('td', isLeader ? 'leader' : 'follower', 'role ' + (isLeader ? 'role-leader' : 'role-follower')));
      var link = text('a', m.client);
      link.href = m.client + '/mod/dashboard/';
      var cell = document.createElement('td');
      cell.appendChild(link);
      row.appendChild(cell);
      var f = leaderStats && leaderStats.followers ? leaderStats.followers[m.name] : null;
      if (isLeader) {
        row.appendChild(text('td', '—'));
        row.appendChild(text('td', '—'));
        row.appendChild(text('td', '—'));
      } else if (f) {
        var current = f.latency.current;
        var now = text('td', ms(current), current >= 60 ? 'bad' : current >= 25 ? 'warn' : 'good');
        row.appendChild(now);
        row.appendChild(text('td', ms(f.latency.average)));
        row.appendChild(text('td', f.counts.success + ' / ' + f.counts.fail, f.counts.fail > 0 ? 'warn' : ''));
      } else {
        row.appendChild(text('td', 'no report', 'muted'));
        row.appendChild(text('td', '—'));
        row.appendChild(text('td', '—'));
      }
      body.appendChild(row);
    });
    document.getElementById('machines-note').textContent =
      machines.length + ' machine' + (machines.length === 1 ? '' : 's') + (leaderName ? ', leader ' + leaderName : ', no leader known');
  }

  function renderSelf(self) {
    var list = document.getElementById('self-stats');
    list.replaceChildren();
    var facts = [
      ['Name', self.name], ['State', self.state], ['Started', self.startTime],
      ['Leader', self.leaderInfo && self.leaderInfo.leader], ['Leader for', self.leaderInfo && String(self.leaderInfo.uptime || '').replace(/(\d+)\.(\d)\d*(\D+)$/, '$1.$2$3')],
      ['Appends received', self.recvAppendRequestCnt], ['Appends sent', self.sendAppendRequestCnt]
    ];
    if (self.recvPkgRate !== undefined) { facts.push(['Received / s', Number(self.recvPkgRate).toFixed(1)]); }
    if (self.sendPkgRate !== undefined) { facts.push(['Sent / s', Number(self.sendPkgRate).toFixed(1)]); }
    facts.forEach(function (f) {
      list.appendChild(text('dt', f[0]));
      list.appendChild(text('dd', f[1] === undefined || f[1] === '' ? '—' : f[1]));
    });
  }

  function recordLatency(stats, now) {
    Object.keys(stats.followers || {}).forEach(function (name) {
      (latency[name] = latency[name] || []).push({ t: now, v: stats.followers[name].latency.current });
    });
    trim(latency, now);
    var series = Object.keys(latency).sort().map(function (k) { return { name: k, points: latency[k] }; });
    Chart.draw(document.getElementById('latency-chart'), series, WINDOW_MS, now);
  }

  function sum(c, keys) { return keys.reduce(function (a, k) { return a + (Number(c[k]) || 0); }, 0); }

  var KINDS = {
    reads: ['getsSuccess', 'getsFail'],
    writes: ['setsSuccess', 'createSuccess', 'updateSuccess', 'compareAndSwapSuccess'],
    deletes: ['deleteSuccess'],
    failures: ['setsFail', 'createFail', 'updateFail', 'compareAndSwapFail', 'deleteFail'],
    expires: ['expireCount']
  };

  function recordStore(counters, now) {
    if (lastStore && now > lastStore.t) {
      var seconds = (now - lastStore.t) / 1000;
      Object.keys(KINDS).forEach(function (kind) {
        var delta = sum(counters, KINDS[kind]) - sum(lastStore.counters, KINDS[kind]);
        (rates[kind] = rates[kind] || []).push({ t: now, v: Math.max(0, delta / seconds) });
      });
    }
    lastStore = { t: now, counters: counters };
    trim(rates, now);
    var series = Object.keys(KINDS).map(function (k) { return { name: k, points: rates[k] || [] }; });
    Chart.draw(document.getElementById('store-chart'), series, WINDOW_MS, now);
    document.getElementById('store-note').textContent = 'watchers now: ' + (counters.watchers || 0);
  }

  function refresh() {
    var now = Date.now();
    var self = Api.stats('self').then(function (s) { App.setSelf(s); renderSelf(s); return s; });
    var leader = Api.stats('leader').then(function (s) {
      document.getElementById('latency-note').textContent = '';
      recordLatency(s, now);
      return s;
    }, function (e) {
      document.getElementById('latency-note').textContent = 'Leader statistics unavailable: ' + e.message;
      return null;
    });
    var store = Api.stats('store').then(function (c) { recordStore(c, now); });
    var machines = Api.machines().then(parseMachines);
    return Promise.all([self, leader, machines, store]).then(function (all) {
      var leaderName = (all[1] && all[1].leader) || (all[0].leaderInfo && all[0].leaderInfo.leader) || '';
      renderMachines(all[2], leaderName, all[1]);
      App.clearError('cluster');
    }).catch(function (e) {
      App.showError('cluster', 'Cluster view: ' + e.message);
    });
  }

  function loop() {
    if (!active) { return; }
    var next = function () { if (active) { timer = setTimeout(loop, document.hidden ? 5000 : 1000); } };
    refresh().then(next, next);
  }

  return {
    show: function () { if (!active) { active = true; loop(); } },
    hide: function () { active = false; clearTimeout(timer); }
  };
})();

'use strict';
/*
 * The key browser: a directory listing with a breadcrumb, a detail pane to edit or delete the
 * selected key, a form to create keys and directories, and a live watch of a directory.
 */
var KeysView = (function () {
  var dir = '/';          // the directory listed
  var selected = null;    // the node shown in the detail pane
  var dirty = false;      // the detail's fields were edited since it was shown
  var watch = null;       // {path, controller}
  var listedIndex = 0;    // the store index of the last listing
  var $ = function (id) { return document.getElementById(id); };

  function text(tag, content, className) {
    var node = document.createElement(tag);
    node.textContent = content === undefined || content === null ? '' : String(content);
    if (className) { node.className = className; }
    return node;
  }

  function parentOf(key) {
    var i = key.replace(/\/+$/, '').lastIndexOf('/');
    return i <= 0 ? '/' : key.slice(0, i);
  }

  function baseName(key) { return key.replace(/\/+$/, '').split('/').pop() || '/'; }

  function join(parent, name) {
    return ('/' + parent + '/' + name).replace(/\/+/g, '/').replace(/(.)\/$/, '$1');
  }

  function ttlText(node) {
    if (!node.expiration) { return '—'; }
    var left = Math.round((new Date(node.expiration).getTime() - Date.now()) / 1000);
    return left > 0 ? left + ' s' : 'expiring';
  }

  function renderBreadcrumb() {
    var nav = $('breadcrumb');
    nav.replaceChildren();
    var root = text('a', 'root');
    root.href = '#keys/';
    nav.appendChild(root);
    var path = '';
    dir.split('/').filter(Boolean).forEach(function (part) {
      path += '/' + part;
      nav.appendChild(text('span', '/', 'sep'));
      var a = text('a', part);
      a.href = '#keys' + path.split('/').map(encodeURIComponent).join('/') + '/';
      nav.appendChild(a);
    });
    $('new-key-parent').textContent = dir;
  }

  function renderList(nodes) {
    var body = document.querySelector('#key-list tbody');
    body.replaceChildren();
    nodes.sort(function (a, b) { return a.key < b.key ? -1 : a.key > b.key ? 1 : 0; });
    nodes.forEach(function (node) {
      var row = document.createElement('tr');
      row.setAttribute('data-key', node.key);
      if (selected && selected.key === node.key) { row.className = 'selected'; }
      var name = document.createElement('td');
      var link = text('a', baseName(node.key) + (node.dir ? '/' : ''), node.dir ? 'dir' : 'file');
      link.href = '#keys' + node.key.split('/').map(encodeURIComponent).join('/') + (node.dir ? '/' : '');
      name.appendChild(link);
      row.appendChild(name);
      row.appendChild(text('td', node.dir ? '' : node.value, 'value'));
      row.appendChild(text('td', ttlText(node)));
      row.appendChild(text('td', node.modifiedIndex));
      body.appendChild(row);
    });
    $('key-empty').hidden = nodes.length > 0;
  }

  function renderDetail(node) {
    selected = node;
    dirty = false;
    $('detail-empty').hidden = !!node;
    $('detail-body').hidden = !node;
    $('confirm-delete').hidden = true;
    if (!node) { return; }
    $('detail-key').textContent = node.key + (node.dir ? '/' : '');
    var facts = $('detail-facts');
    facts.replaceChildren();
    [['Type', node.dir ? 'directory' : 'key'],
     ['TTL', node.ttl ? node.ttl + ' s' : 'none'],
     ['Expires', node.expiration ? new Date(node.expiration).toLocaleString() : 'never'],
     ['Created index', node.createdIndex],
     ['Modified index', node.modifiedIndex]].forEach(function (f) {
      facts.appendChild(text('dt', f[0]));
      facts.appendChild(text('dd', f[1]));
    });
    $('detail-value-label').hidden = !!node.dir;
    $('detail-value').value = node.dir ? '' : (node.value || '');
    $('detail-ttl').value = node.ttl ? node.ttl : '';
    document.querySelectorAll('#key-list tbody tr').forEach(function (row) {
      row.className = row.getAttribute('data-key') === node.key ? 'selected' : '';
    });
  }

  /**
   * Lists dir; selects select (a key in it) when given. After a write the read is consistent (the
   * leader answers it), so that a follower that has not applied the write yet does not hide it.
   */
  function load(path, select, consistent) {
    var options = consistent ? { sorted: 'true', consistent: 'true' } : { sorted: 'true' };
    return Api.get(path, options).then(function (data) {
      listedIndex = data.etcdIndex || listedIndex;
      if (data.node.dir) {
        dir = data.node.key || '/';
        renderBreadcrumb();
        renderList(data.node.nodes || []);
        var keep = select || (selected && parentOf(selected.key) === dir ? selected.key : null);
        var chosen = (data.node.nodes || []).find(function (n) { return n.key === keep; });
        if (!dirty || !chosen) { renderDetail(chosen || null); }
        App.clearError('keys');
      } else {
        return load(parentOf(data.node.key), data.node.key, consistent);
      }
    }).catch(function (e) {
      App.showError('keys', 'Reading ' + path + ': ' + e.message);
    });
  }

  function route(rest) {
    var path = '/' + rest.split('/').map(function (p) {
      try { return decodeURIComponent(p); } catch (e) { return p; }
    }).filter(Boolean).join('/');
    return load(path);
  }

  function ttlField(input) {
    var v = input.value.trim();
    return v === '' ? null : v;
  }

  function create(event) {
    event.preventDefault();
    var name = $('new-key-name').value.trim();
    if (!name) { App.showError('keys', 'Give the new key a name.'); return; }
    var key = join(dir, name);
    var fields = { prevExist: 'false' };
    if ($('new-key-dir').checked) { fields.dir = 'true'; } else { fields.value = $('new-key-value').value; }
    var ttl = ttlField($('new-key-ttl'));
    if (ttl) { fields.ttl = ttl; }
    Api.put(key, fields).then(function (data) {
      $('new-key').reset();
      App.clearError('keys');
      App.toast('Created ' + data.node.key);
      return load(dir, parentOf(data.node.key) === dir ? data.node.key : null, true);
    }).catch(function (e) { App.showError('keys', 'Creating ' + key + ': ' + e.message); });
  }

  function save(event) {
    event.preventDefault();
    if (!selected) { return; }
    var fields = { prevExist: 'true' };
    if (!selected.dir) { fields.value = $('detail-value').value; }
    var ttl = ttlField($('detail-ttl'));
    fields.ttl = ttl === null ? '' : ttl;
    var key = selected.key;
    Api.put(key, fields).then(function (data) {
      dirty = false;
      App.clearError('keys');
      App.toast('Saved ' + key);
      return load(dir, data.node.key, true);
    }).catch(function (e) { App.showError('keys', 'Saving ' + key + ': ' + e.message); });
  }

  function remove() {
    if (!selected) { return; }
    var key = selected.key;
    Api.remove(key, !!selected.dir).then(function () {
      App.clearError('keys');
      App.toast('Deleted ' + key);
      renderDetail(null);
      return load(dir, null, true);
    }).catch(function (e) { App.showError('keys', 'Deleting ' + key + ': ' + e.message); });
  }

  function logEvent(event) {
    var item = document.createElement('li');
    var node = event.node || {};
    item.setAttribute('data-action', event.action);
    item.setAttribute('data-key', node.key || '');
    item.appendChild(text('time', new Date().toLocaleTimeString()));
    item.appendChild(text('span', event.action, 'action action-' + event.action));
    item.appendChild(text('code', node.key || ''));
    if (node.value !== undefined) { item.appendChild(text('span', '= ' + node.value, 'value')); }
    item.appendChild(text('span', 'index ' + node.modifiedIndex, 'muted'));
    var log = $('watch-log');
    log.insertBefore(item, log.firstChild);
    while (log.children.length > 200) { log.removeChild(log.lastChild); }
  }

  function watchFrom(current, index) {
    if (watch !== current) { return; }
    Api.wait(current.path, index, current.controller.signal).then(function (event) {
      logEvent(event);
      load(dir);
      watchFrom(current, event.node.modifiedIndex + 1);
    }, function (e) {
      if (watch !== current) { return; }
      if (e.body && e.body.errorCode === 401) {
        // the history moved past our index: go on from the store's present
        $('watch-state').textContent = 'some changes were missed (' + e.message + '); resuming';
        watchFrom(current, e.body.index + 1);
        return;
      }
      App.showError('keys', 'Watch of ' + current.path + ' stopped: ' + e.message);
      stopWatch();
    });
  }

  function startWatch() {
    stopWatch();
    watch = { path: dir, controller: new AbortController() };
    $('watch-card').hidden = false;
    $('watch-path').textContent = dir;
    $('watch-state').textContent = 'live, from index ' + (listedIndex + 1);
    $('watch-log').replaceChildren();
    $('watch-toggle').textContent = 'Stop watching';
    $('watch-toggle').classList.add('active');
    watchFrom(watch, listedIndex + 1);
  }

  function stopWatch() {
    if (watch) {
      watch.controller.abort();
      watch = null;
      $('watch-state').textContent = 'stopped';
    }
    $('watch-toggle').textContent = 'Watch';
    $('watch-toggle').classList.remove('active');
  }

  function init() {
    $('new-key').addEventListener('submit', create);
    $('edit-key').addEventListener('submit', save);
    $('detail-value').addEventListener('input', function () { dirty = true; });
    $('detail-ttl').addEventListener('input', function () { dirty = true; });
    $('delete-key').addEventListener('click', function () { $('confirm-delete').hidden = false; });
    $('confirm-delete').addEventListener('click', remove);
    $('refresh').addEventListener('click', function () { load(dir); });
    $('watch-toggle').addEventListener('click', function () { if (watch) { stopWatch(); } else { startWatch(); } });
  }

  return { init: init, route: route };
})();

'use strict';
/* The page: which view shows, who this member is, and the error banner. */
var App = (function () {
  var errors = {};  // view -> message
  var $ = function (id) { return document.getElementById(id); };

  function renderErrors() {
    var messages = Object.keys(errors).map(function (k) { return errors[k]; });
    $('error').hidden = messages.length === 0;
    $('error').className = 'banner';
    $('error-text').textContent = messages.join(' — ');
  }

  function route() {
    var hash = location.hash.replace(/^#/, '');
    var keys = hash.indexOf('keys') === 0;
    $('view-cluster').hidden = keys;
    $('view-keys').hidden = !keys;
    $('tab-cluster').className = keys ? '' : 'current';
    $('tab-keys').className = keys ? 'current' : '';
    if (keys) {
      ClusterView.hide();
      KeysView.route(hash.slice('keys'.length));
    } else {
      ClusterView.show();
    }
  }

  var app = {
    self: {},
    setSelf: function (stats) {
      app.self = stats;
      var leader = stats.leaderInfo && stats.leaderInfo.leader;
      $('whoami').textContent = 'member ' + stats.name + ' · ' + stats.state + (leader && stats.state !== 'leader' ? ' · leader ' + leader : '');
      $('whoami').setAttribute('data-state', stats.state);
    },
    showError: function (view, message) { errors[view] = message; renderErrors(); },
    clearError: function (view) { if (errors[view]) { delete errors[view]; renderErrors(); } },
    toast: function (message) {
      $('error').hidden = false;
      $('error').className = 'banner ok';
      $('error-text').textContent = message;
      setTimeout(function () {
        if ($('error').className === 'banner ok' && $('error-text').textContent === message) { $('error').hidden = true; }
      }, 4000);
    }
  };

  document.addEventListener('DOMContentLoaded', function () {
    $('error-close').addEventListener('click', function () { errors = {}; $('error').hidden = true; });
    KeysView.init();
    Api.stats('self').then(app.setSelf, function (e) { app.showError('self', 'This member: ' + e.message); });
    window.addEventListener('hashchange', route);
    route();
  });
  return app;
})();

'use strict';
/*
 * The client API as the dashboard uses it. Every call resolves with the parsed answer or rejects
 * with an ApiError whose message is meant for an operator: etcd's error code and message, or what
 * went wrong on the way.
 */
var Api = (function () {
  function ApiError(message, status, body) {
    this.name = 'ApiError';
    this.message = message;
    this.status = status;
    this.body = body;
  }
  ApiError.prototype = Object.create(Error.prototype);

  /** etcd's JSON error, in words. */
  function describe(status, text) {
    var body = null;
    try { body = JSON.parse(text); } catch (e) { /* not JSON */ }
    if (body && typeof body.errorCode === 'number') {
      var m = 'etcd error ' + body.errorCode + ': ' + body.message;
      if (body.cause) { m += ' (' + body.cause + ')'; }
      return new ApiError(m, status, body);
    }
    var plain = (text || '').trim();
    return new ApiError('HTTP ' + status + (plain ? ': ' + plain : ''), status, null);
  }

  function request(method, url, form, signal) {
    var init = { method: method, cache: 'no-store', signal: signal };
    if (form) {
      init.body = new URLSearchParams(form);
    }
    return fetch(url, init).then(function (response) {
      return response.text().then(function (text) {
        if (!response.ok) {
          throw describe(response.status, text);
        }
        return { status: response.status, text: text, index: response.headers.get('X-Etcd-Index') };
      });
    }, function (failure) {
      if (failure && failure.name === 'AbortError') {
        throw failure;
      }
      throw new ApiError('no answer for ' + method + ' ' + url + ': the member is unreachable, or a redirect '
        + 'to the leader was refused by the browser (the leader must list this page\'s origin, '
        + location.origin + ', among its machines or in -cors)', 0, null);
    });
  }

  function json(method, url, form, signal) {
    return request(method, url, form, signal).then(function (r) {
      try {
        var data = JSON.parse(r.text);
        if (r.index !== null && data && typeof data === 'object') {
          data.etcdIndex = Number(r.index);
        }
        return data;
      } catch (e) {
        throw new ApiError('the answer to ' + method + ' ' + url + ' is not JSON: ' + r.text.slice(0, 80), r.status, null);
      }
    });
  }

  /** The URL of a key: each segment escaped, slashes kept. */
  function keyUrl(base, key) {
    var parts = key.split('/').filter(function (p) { return p !== ''; }).map(encodeURIComponent);
    return (base || '') + '/v2/keys/' + parts.join('/');
  }

  return {
    ApiError: ApiError,
    keyUrl: keyUrl,
    stats: function (which, base) { return json('GET', (base || '') + '/v2/stats/' + which); },
    machines: function () { return json('GET', keyUrl('', '/_etcd/machines')); },
    get: function (key, options) {
      var q = new URLSearchParams(options || {});
      var s = q.toString();
      return json('GET', keyUrl('', key) + (s ? '?' + s : ''));
    },
    /** A set (PUT); fields: value, ttl, dir, prevExist. */
    put: function (key, fields) { return json('PUT', keyUrl('', key), fields); },
    remove: function (key, recursive) {
      return json('DELETE', keyUrl('', key) + (recursive ? '?recursive=true' : ''));
    },
    /** One long poll for the next change under key at or after waitIndex. */
    wait: function (key, waitIndex, signal) {
      var q = 'wait=true&recursive=true' + (waitIndex ? '&waitIndex=' + waitIndex : '');
      return json('GET', keyUrl('', key) + '?' + q, null, signal);
    }
  };
})();

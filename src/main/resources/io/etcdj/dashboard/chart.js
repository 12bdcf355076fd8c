'use strict';
/*
 * A small line chart drawn in SVG: a few series of (time, value) samples over a fixed window,
 * with a y axis that grows to fit, a time axis in seconds ago, a dot on every sample and a legend.
 */
var Chart = (function () {
  var NS = 'http://www.w3.org/2000/svg';
  var COLORS = ['#2f6fde', '#e0662a', '#2a9d5c', '#9b4dca', '#c43d52', '#1f9aa8', '#8c6d1f'];

  function el(name, attrs, parent) {
    var node = document.createElementNS(NS, name);
    Object.keys(attrs).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (parent) { parent.appendChild(node); }
    return node;
  }

  /** A round axis top at or above max. */
  function niceTop(max) {
    if (!(max > 0)) { return 1; }
    var step = Math.pow(10, Math.floor(Math.log10(max)));
    var top = [1, 2, 2.5, 5, 10].map(function (m) { return m * step; }).find(function (t) { return t >= max; });
    return top || 10 * step;
  }

  function format(v) {
    return v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2).replace(/\.?0+$/, '') || '0';
  }

  /**
   * Draws series ({name, points: [{t, v}]}) into container for the windowMs ending at now.
   * Returns the number of points drawn.
   */
  function draw(container, series, windowMs, now) {
    var width = Math.max(container.clientWidth, 280);
    var height = 220;
    var pad = { left: 44, right: 12, top: 10, bottom: 26 };
    var w = width - pad.left - pad.right;
    var h = height - pad.top - pad.bottom;
    var max = 0;
    series.forEach(function (s) { s.points.forEach(function (p) { if (p.v > max) { max = p.v; } }); });
    var top = niceTop(max);
    var x = function (t) { return pad.left + w * (1 - (now - t) / windowMs); };
    var y = function (v) { return pad.top + h * (1 - v / top); };

    var svg = el('svg', { viewBox: '0 0 ' + width + ' ' + height, width: width, height: height, role: 'img' });
    for (var i = 0; i <= 4; i++) {
      var v = top * i / 4;
      el('line', { x1: pad.left, x2: pad.left + w, y1: y(v), y2: y(v), class: 'grid' }, svg);
      el('text', { x: pad.left - 6, y: y(v) + 4, 'text-anchor': 'end', class: 'axis' }, svg).textContent = format(v);
    }
    var seconds = windowMs / 1000;
    for (var s = 0; s <= seconds; s += seconds / 4) {
      el('text', { x: x(now - s * 1000), y: height - 6, 'text-anchor': 'middle', class: 'axis' }, svg)
        .textContent = s === 0 ? 'now' : '-' + s + 's';
    }
    var drawn = 0;
    series.forEach(function (serie, n) {
      var color = COLORS[n % COLORS.length];
      var visible = serie.points.filter(function (p) { return now - p.t <= windowMs; });
      if (visible.length > 1) {
        el('polyline', {
          points: visible.map(function (p) { return x(p.t).toFixed(1) + ',' + y(p.v).toFixed(1); }).join(' '),
          fill: 'none', stroke: color, 'stroke-width': 2, class: 'line'
        }, svg);
      }
      visible.forEach(function (p) {
        var dot = el('circle', { cx: x(p.t).toFixed(1), cy: y(p.v).toFixed(1), r: 2.5, fill: color, class: 'point' }, svg);
        el('title', {}, dot).textContent = serie.name + ': ' + format(p.v);
        drawn++;
      });
    });
    svg.setAttribute('data-points', drawn);

    var legend = document.createElement('ul');
    legend.className = 'legend';
    series.forEach(function (serie, n) {
      var item = document.createElement('li');
      var swatch = document.createElement('span');
      swatch.className = 'swatch';
      swatch.style.background = COLORS[n % COLORS.length];
      item.appendChild(swatch);
      var last = serie.points.length ? serie.points[serie.points.length - 1].v : null;
      item.appendChild(document.createTextNode(serie.name + (last === null ? '' : ' ' + format(last))));
      legend.appendChild(item);
    });
    container.replaceChildren(svg, legend);
    return drawn;
  }

  return { draw: draw };
})();

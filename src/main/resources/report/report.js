// jnat's replay report: inflates the data element and draws the connections, their sequence
// diagrams, the packet list and one packet's walk on the netfilter packet-flow diagram.
"use strict";
(async function () {
  const SVG = "http://www.w3.org/2000/svg";
  const el = (tag, attrs, ...kids) => {
    const e = document.createElement(tag);
    for (const k in attrs || {}) e.setAttribute(k, attrs[k]);
    for (const c of kids) e.append(c);
    return e;
  };
  const sv = (tag, attrs, ...kids) => {
    const e = document.createElementNS(SVG, tag);
    for (const k in attrs || {}) e.setAttribute(k, attrs[k]);
    for (const c of kids) e.append(c);
    return e;
  };

  const node = document.getElementById("data");
  const bytes = Uint8Array.from(atob(node.textContent.trim()), c => c.charCodeAt(0));
  const text = await new Response(new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"))).text();
  const D = JSON.parse(text);
  const P = D.packets;
  const KIND = ["rw-src", "rw-dst", "rw-id"];

  const devName = d => d >= 0 ? D.ifaces[d] : d === -1 ? "host" : "host's own";
  const outName = d => d >= 0 ? D.ifaces[d] : "delivered";
  const pad = (n, w) => String(n).padStart(w, "0");
  const time = dt => {
    const t = (D.t0 + dt) % 86400000000;
    const s = Math.floor(t / 1e6);
    return pad(Math.floor(s / 3600), 2) + ":" + pad(Math.floor(s / 60) % 60, 2) + ":" + pad(s % 60, 2) + "." + pad(t % 1e6, 6);
  };
  const walkOf = i => D.walks[P[i][3]];
  const dropOf = i => walkOf(i).find(s => s[0] === "X");
  const isReply = i => walkOf(i).some(s => s[0] === "C" && / reply/.test(s[2]));

  // a line with its rewritten fields in <mark>, from character `from` on
  function marked(line, marks, from) {
    const f = document.createDocumentFragment();
    let at = from || 0;
    const ranges = [];
    for (let k = 0; k + 2 < (marks || []).length; k += 3) ranges.push(marks.slice(k, k + 3));
    ranges.sort((a, b) => a[0] - b[0]);
    for (const [s, e, kind] of ranges) {
      if (s < at) continue;
      f.append(line.slice(at, s), el("mark", {class: "rw " + KIND[kind], title: ["source", "destination", "ICMP id"][kind] + " rewritten by NAT"}, line.slice(s, e)));
      at = e;
    }
    f.append(line.slice(at));
    return f;
  }
  // where the network layer starts in a tcpdump -e line (after "length N: ")
  function netStart(line) {
    const et = line.indexOf("ethertype IPv");
    if (et < 0) return 0;
    const len = line.indexOf(", length ", et);
    const c = len < 0 ? -1 : line.indexOf(": ", len);
    return c < 0 ? 0 : c + 2;
  }

  function pager(span, total, size, page, go) {
    span.replaceChildren();
    const pages = Math.max(1, Math.ceil(total / size));
    const btn = (label, p) => {
      const b = el("button", {type: "button"}, label);
      b.disabled = p < 0 || p >= pages || p === page;
      b.onclick = () => go(p);
      return b;
    };
    span.append(btn("«", 0), btn("‹", page - 1), ` page ${page + 1} of ${pages} (${total}) `, btn("›", page + 1), btn("»", pages - 1));
  }

  // ---- connections ----------------------------------------------------------------------------
  const connPackets = D.conns.map(() => []);
  P.forEach((p, i) => { if (p[4] >= 0) connPackets[p[4]].push(i); });
  let connList = D.conns.map((c, i) => i), connPage = 0, selConn = -1;
  const connBody = document.querySelector("#conn-table tbody");
  function drawConns() {
    const size = 50;
    pager(document.getElementById("conn-pager"), connList.length, size, connPage, p => { connPage = p; drawConns(); });
    connBody.replaceChildren();
    for (const c of connList.slice(connPage * size, connPage * size + size)) {
      const tr = el("tr", {"data-conn": c}, el("td", {}, String(c)), el("td", {}, D.conns[c][0]), el("td", {}, D.conns[c][1]),
        el("td", {}, String(connPackets[c].length)));
      if (c === selConn) tr.className = "sel";
      tr.onclick = () => { location.hash = "conn=" + c; };
      connBody.append(tr);
    }
  }
  let connTimer;
  document.getElementById("conn-filter").oninput = e => {
    clearTimeout(connTimer);
    connTimer = setTimeout(() => {
      const q = e.target.value.trim().toLowerCase();
      connList = D.conns.map((c, i) => i).filter(i => !q || D.conns[i][0].toLowerCase().includes(q) || D.conns[i][1].toLowerCase().includes(q));
      connPage = 0;
      drawConns();
    }, 150);
  };

  // the sequence diagram: interfaces as lifelines, the host between them
  let seqPage = 0;
  function drawSeq(c) {
    const box = document.getElementById("seq");
    box.replaceChildren();
    if (c < 0 || c >= D.conns.length) return;
    const all = connPackets[c];
    const size = 100;
    const list = all.slice(seqPage * size, seqPage * size + size);
    const head = el("h3", {}, `connection ${c}: ${D.conns[c][1] || "no NAT"}`);
    const pg = el("span", {class: "pager"});
    box.append(head, el("pre", {}, D.conns[c][0]), pg);
    pager(pg, all.length, size, seqPage, p => { seqPage = p; drawSeq(c); });
    const devs = [];
    const first = all.length ? P[all[0]][1] : -1;
    const add = d => { if (d >= 0 && !devs.includes(d)) devs.push(d); };
    add(first);
    for (const i of all) { add(P[i][1]); for (const o of P[i][6]) add(o[0]); }
    const left = first >= 0 ? [first] : [], right = devs.filter(d => d !== first);
    const lanes = [...left.map(d => ({d})), {host: true}, ...right.map(d => ({d}))];
    const GAP = 500, X0 = 130, ROW = 30, Y0 = 56, CH = 6.6;
    const laneX = d => X0 + GAP * lanes.findIndex(l => d === "host" ? l.host : l.d === d);
    const hostX = laneX("host");
    let rows = 0;
    for (const i of list) rows += Math.max(1, P[i][6].length);
    const W = X0 + GAP * (lanes.length - 1) + 60, H = Y0 + rows * ROW + 20;
    const svg = sv("svg", {width: W, height: H, viewBox: `0 0 ${W} ${H}`, class: "seq"});
    svg.append(sv("defs", {}, sv("marker", {id: "ah", viewBox: "0 0 10 10", refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: "auto-start-reverse"},
      sv("path", {d: "M0,0 L10,5 L0,10 z", fill: "#555"}))));
    for (const l of lanes) {
      const x = l.host ? hostX : laneX(l.d);
      svg.append(sv("line", {class: "lane", x1: x, y1: 34, x2: x, y2: H - 6}),
        sv("text", {class: "lanehead", x: x, y: 22, "text-anchor": "middle"}, l.host ? "host (netfilter)" : D.ifaces[l.d]));
    }
    const label = (x1, x2, y, line, marks) => {
      const from = netStart(line);
      const max = Math.floor((Math.abs(x2 - x1) - 16) / CH);
      let shown = line.slice(from);
      const t = sv("text", {class: "label", x: Math.min(x1, x2) + 8, y: y - 5});
      const cut = shown.length > max;
      if (cut) shown = shown.slice(0, max - 1);
      let at = 0;
      const ranges = [];
      for (let k = 0; k + 2 < (marks || []).length; k += 3) ranges.push([marks[k] - from, marks[k + 1] - from, marks[k + 2]]);
      ranges.sort((a, b) => a[0] - b[0]);
      for (const [s, e, kind] of ranges) {
        if (s < at || s >= shown.length) continue;
        t.append(shown.slice(at, s), sv("tspan", {class: "rw " + KIND[kind]}, shown.slice(s, Math.min(e, shown.length))));
        at = Math.min(e, shown.length);
      }
      t.append(shown.slice(at) + (cut ? "…" : ""));
      return t;
    };
    let row = 0;
    for (const i of list) {
      const p = P[i];
      const y = Y0 + row * ROW + 14;
      const g = sv("g", {class: "seqrow", "data-p": i});
      const n = Math.max(1, p[6].length);
      g.append(sv("rect", {class: "hit", x: 0, y: y - 20, width: W, height: n * ROW}), sv("title", {}, [p[2], ...p[6].map(o => outName(o[0]) + ": " + o[1])].join("\n")));
      g.append(sv("text", {class: "time", x: 4, y: y}, time(p[0])), sv("text", {class: "time", x: 4, y: y + 11}, "#" + i));
      const cls = "arrow" + (p[1] === -2 ? " own" : isReply(i) ? " reply" : "");
      if (p[1] >= 0) {
        const x = laneX(p[1]);
        g.append(sv("line", {class: cls, x1: x, y1: y, x2: hostX, y2: y, "marker-end": "url(#ah)"}), label(x, hostX, y, p[2], []));
      } else {
        g.append(sv("circle", {cx: hostX, cy: y, r: 4, fill: "#9b4dca"}));
      }
      p[6].forEach((o, k) => {
        const yy = y + k * ROW;
        if (o[0] >= 0) {
          const x = laneX(o[0]);
          g.append(sv("line", {class: cls, x1: hostX, y1: yy, x2: x, y2: yy, "marker-end": "url(#ah)"}), label(hostX, x, yy, o[1], o[2]));
        } else {
          g.append(sv("text", {class: "label", x: hostX + 8, y: yy - 5}, "delivered to the host"));
        }
      });
      const drop = dropOf(i);
      if (drop && p[6].length === 0) {
        g.append(sv("text", {class: "label drop", x: hostX + 8, y: y + 4, fill: "#b00020"}, "✕ dropped: " + drop[2] + " (" + drop[1] + ")"));
      }
      g.addEventListener("click", () => { location.hash = "packet=" + i; });
      svg.append(g);
      row += n;
    }
    box.append(svg);
  }

  // ---- packets --------------------------------------------------------------------------------
  let pktList = null, pktPage = 0;
  const pktBody = document.querySelector("#pkt-table tbody");
  function drawPackets() {
    const size = 100, total = pktList ? pktList.length : P.length;
    pager(document.getElementById("pkt-pager"), total, size, pktPage, p => { pktPage = p; drawPackets(); });
    pktBody.replaceChildren();
    for (let k = pktPage * size; k < Math.min(total, pktPage * size + size); k++) {
      const i = pktList ? pktList[k] : k;
      const p = P[i];
      const outs = el("td"), lines = el("td");
      p[6].forEach((o, j) => {
        if (j > 0) { outs.append("\n"); lines.append("\n"); }
        outs.append(outName(o[0]));
        lines.append(marked(o[1], o[2]));
      });
      const drop = dropOf(i);
      if (drop && !p[6].length) lines.append(el("span", {class: "drop"}, "dropped: " + drop[2]));
      const tr = el("tr", {"data-packet": i}, el("td", {}, String(i)), el("td", {}, time(p[0])), el("td", {}, devName(p[1])),
        el("td", {}, p[2]), outs, lines);
      tr.onclick = () => { location.hash = "packet=" + i; };
      pktBody.append(tr);
    }
  }
  let pktTimer;
  document.getElementById("pkt-filter").oninput = e => {
    clearTimeout(pktTimer);
    pktTimer = setTimeout(() => {
      const q = e.target.value.trim().toLowerCase();
      pktList = !q ? null : P.map((p, i) => i).filter(i => P[i][2].toLowerCase().includes(q) || P[i][6].some(o => o[1].toLowerCase().includes(q)));
      pktPage = 0;
      drawPackets();
    }, 200);
  };

  // ---- one packet's walk on the packet-flow diagram ------------------------------------------
  const HOOKS = {
    pre: {x: 130, y: 40, w: 250, title: "PREROUTING", hook: "PREROUTING", cells: ["raw", "conntrack", "mangle", "nat"]},
    fwd: {x: 500, y: 40, w: 200, title: "FORWARD", hook: "FORWARD", cells: ["mangle", "filter", "security"]},
    post: {x: 740, y: 40, w: 210, title: "POSTROUTING", hook: "POSTROUTING", cells: ["mangle", "nat", "conntrack"]},
    input: {x: 290, y: 240, w: 290, title: "INPUT", hook: "INPUT", cells: ["mangle", "filter", "security", "nat", "conntrack"]},
    output: {x: 830, y: 240, w: 290, title: "OUTPUT", hook: "OUTPUT", cells: ["raw", "conntrack", "mangle", "nat", "filter", "security"]},
  };
  const HOOK_NODE = {PREROUTING: "pre", FORWARD: "fwd", POSTROUTING: "post", INPUT: "input", OUTPUT: "output"};
  const EDGES = {
    "in>pre": "M110,92 L130,92", "pre>rt": "M380,92 L404,92", "rt>fwd": "M476,92 L500,92", "fwd>post": "M700,92 L740,92",
    "post>out": "M950,92 L990,92", "rt>input": "M440,128 L440,240", "input>local": "M580,292 L610,292",
    "local>ort": "M730,292 L756,292", "ort>output": "M814,292 L830,292", "output>post": "M900,240 L900,144",
  };

  function walkModel(i) {
    const m = {path: [], cells: {}, notes: {}, route: "", drop: null, inDev: "", outDev: "", steps: walkOf(i)};
    let hook = "";
    const last = () => m.path[m.path.length - 1];
    const cell = (h, t, cls, note) => {
      const k = h + "/" + t;
      const rank = {walked: 1, hit: 2, dropped: 3};
      if (!m.cells[k] || rank[cls] >= rank[m.cells[k]]) m.cells[k] = cls;
      if (note) m.notes[k] = note;
    };
    for (const s of m.steps) {
      switch (s[0]) {
        case "in": m.path.push("in"); m.inDev = s[1]; break;
        case "lo": case "own": m.path.push("local", "ort"); break;
        case "H": {
          const n = HOOK_NODE[s[1]];
          if ((n === "fwd" || n === "input") && last() !== "rt") m.path.push("rt");
          m.path.push(n);
          hook = s[1];
          break;
        }
        case "C": cell(s[1], "conntrack", "walked", s[2].split(" (")[0]); break;
        case "R": cell(s[1], D.rules[s[2]][1], "walked"); break;
        case "L": cell(s[1], s[2], "walked"); break;
        case "V": cell(s[1], s[2], s[3] === "ACCEPT" ? "walked" : s[3] === "DROP" || s[3] === "REJECT" ? "dropped" : "hit", s[3]); break;
        case "N": cell(s[1], "nat", "hit", s[2]); break;
        case "r": m.route = "forward out " + s[1] + " via " + s[2]; break;
        case "T": if (last() !== "out") m.path.push("out"); m.outDev = s[1]; break;
        case "D": m.path.push("local"); break;
        case "X": m.drop = s; m.dropAt = last(); m.dropHook = hook; break;
      }
    }
    return m;
  }

  function flowDiagram(m) {
    const svg = sv("svg", {width: 1130, height: 370, viewBox: "0 0 1130 370", class: "flow"});
    svg.append(sv("defs", {}, sv("marker", {id: "fh", viewBox: "0 0 10 10", refX: 9, refY: 5, markerWidth: 6, markerHeight: 6, orient: "auto"},
      sv("path", {d: "M0,0 L10,5 L0,10 z", fill: "#3a66c4"}))));
    const on = new Set(m.path);
    const edgesOn = new Set();
    for (let k = 1; k < m.path.length; k++) edgesOn.add(m.path[k - 1] + ">" + m.path[k]);
    for (const [k, d] of Object.entries(EDGES)) {
      svg.append(sv("path", {class: "edge" + (edgesOn.has(k) ? " on" : ""), d, "marker-end": edgesOn.has(k) ? "url(#fh)" : "", "data-edge": k}));
    }
    const end = (id, x, y, w, h, title) => {
      svg.append(sv("rect", {class: "end" + (on.has(id) ? " on" : ""), x, y, width: w, height: h, rx: 8, "data-node": id}),
        sv("text", {x: x + w / 2, y: y + h / 2 + 4, "text-anchor": "middle", class: "title"}, title));
    };
    end("in", 10, 70, 100, 44, m.inDev ? "in: " + m.inDev : "in");
    end("out", 990, 70, 130, 44, m.outDev ? "out: " + m.outDev : "out");
    end("local", 610, 262, 120, 60, "local process");
    const diamond = (id, cx, cy, r, title) => {
      svg.append(sv("polygon", {class: "rt" + (on.has(id) ? " on" : ""), points: `${cx - r},${cy} ${cx},${cy - r} ${cx + r},${cy} ${cx},${cy + r}`, "data-node": id}),
        sv("text", {x: cx, y: cy + 4, "text-anchor": "middle", class: "title"}, title));
    };
    diamond("rt", 440, 92, 36, "route");
    diamond("ort", 785, 292, 29, "route");
    if (m.route) svg.append(sv("text", {class: "note", x: 448, y: 160}, m.route));
    for (const [id, h] of Object.entries(HOOKS)) {
      const g = sv("g", {"data-hook": h.hook});
      g.append(sv("rect", {class: "hook" + (on.has(id) ? " on" : ""), x: h.x, y: h.y, width: h.w, height: 104, rx: 6}),
        sv("text", {class: "title", x: h.x + 8, y: h.y + 18}, h.title));
      const cw = (h.w - 10) / h.cells.length;
      h.cells.forEach((t, k) => {
        const key = h.hook + "/" + t;
        const cls = m.cells[key] || "";
        const x = h.x + 5 + k * cw;
        g.append(sv("rect", {class: "cell " + cls, x, y: h.y + 30, width: cw - 4, height: 66, rx: 3, "data-table": t}));
        // a name wider than its cell goes on two lines (conn / track)
        const parts = t.length * 6.6 <= cw - 6 ? [t] : t === "conntrack" ? ["conn", "track"]
          : [t.slice(0, Math.ceil(t.length / 2)), t.slice(Math.ceil(t.length / 2))];
        parts.forEach((w, j) => g.append(sv("text", {x: x + (cw - 4) / 2, y: h.y + 46 + j * 12, "text-anchor": "middle"}, w)));
        if (m.notes[key]) {
          const words = m.notes[key].split(" ");
          words.forEach((w, j) => g.append(sv("text", {class: "note", x: x + (cw - 4) / 2, y: h.y + 72 + j * 12, "text-anchor": "middle"}, w)));
        }
      });
      svg.append(g);
    }
    if (m.drop) {
      svg.append(sv("text", {class: "dropnote", x: 10, y: 360}, "✕ dropped" + (m.dropHook ? " at " + m.dropHook : "") + ": " + m.drop[2] + " (" + m.drop[1] + ")"));
    }
    return svg;
  }

  function stepsList(m, i) {
    const ol = el("ol", {class: "steps"});
    for (const s of m.steps) {
      let li;
      switch (s[0]) {
        case "in": li = el("li", {}, s[1] + " in"); break;
        case "lo": li = el("li", {}, "the host sends it (local out), routed"); break;
        case "own": li = el("li", {}, "the host's own packet, caused by #" + P[i][5] + ", routed"); break;
        case "Q": li = el("li", {}, "fragment queued for reassembly"); break;
        case "F": li = el("li", {}, "reassembled from " + s[1] + " fragments"); break;
        case "H": li = el("li", {class: "hook"}, "hook " + s[1]); break;
        case "C": li = el("li", {}, "conntrack: " + s[2]); break;
        case "R": {
          const r = D.rules[s[2]];
          li = el("li", {class: "rule"}, r[4], el("span", {class: "spec"}, r[0] + " -t " + r[1] + " " + r[5]));
          break;
        }
        case "L": li = el("li", {}, s[3]); break;
        case "V": li = el("li", {class: "verdict"}, "verdict of " + s[2] + " at " + s[1] + ": " + s[3]); break;
        case "N": li = el("li", {class: "verdict"}, s[2] + " (the packet rewritten, at " + s[1] + ")"); break;
        case "r": li = el("li", {}, "route: forward out " + s[1] + " via " + s[2]); break;
        case "T": li = el("li", {}, s[1] + " out" + (s[2] >= 0 ? " (fragment at offset " + s[2] + ")" : "")); break;
        case "D": li = el("li", {}, "delivered to the host"); break;
        case "S": li = el("li", {}, "the host sends a packet of its own (see below)"); break;
        case "X": li = el("li", {class: "drop"}, "dropped: " + s[2] + " (" + s[1] + ")"); break;
        default: li = el("li", {}, JSON.stringify(s));
      }
      ol.append(li);
    }
    return ol;
  }

  function drawWalk(i) {
    const box = document.getElementById("walk-body");
    box.replaceChildren();
    if (!(i >= 0 && i < P.length)) return;
    const p = P[i];
    const m = walkModel(i);
    const links = el("p");
    links.append(`packet #${i} at ${time(p[0])}, in: ${devName(p[1])}`);
    const link = (label, hash) => { links.append(" · "); links.append(el("a", {href: "#" + hash}, label)); };
    if (p[4] >= 0) link("connection " + p[4], "conn=" + p[4]);
    if (p[5] >= 0) link("caused by #" + p[5], "packet=" + p[5]);
    for (const o of p[7]) link("the host's answer #" + o, "packet=" + o);
    const lines = el("table", {class: "lines"});
    if (p[1] !== -2) lines.append(el("tr", {}, el("td", {}, devName(p[1]) + " in"), el("td", {class: "mono"}, p[2])));
    for (const o of p[6]) lines.append(el("tr", {}, el("td", {}, outName(o[0]) + (o[0] >= 0 ? " out" : "")), el("td", {class: "mono"}, marked(o[1], o[2]))));
    box.append(el("h3", {}, "packet " + i), links, lines, flowDiagram(m), stepsList(m, i));
  }

  // ---- selection through the address: #conn=N, #packet=N ---------------------------------------
  function route(scroll) {
    const h = location.hash.slice(1);
    let k;
    if ((k = /^conn=(\d+)$/.exec(h))) {
      const c = +k[1];
      if (c !== selConn) seqPage = 0;
      selConn = c;
      drawConns();
      drawSeq(c);
      if (scroll) document.getElementById("seq").scrollIntoView();
    } else if ((k = /^packet=(\d+)$/.exec(h))) {
      const i = +k[1];
      if (P[i] && P[i][4] >= 0 && P[i][4] !== selConn) {
        selConn = P[i][4];
        const at = connPackets[selConn].indexOf(i);
        seqPage = Math.floor(at / 100);
        drawConns();
        drawSeq(selConn);
      }
      drawWalk(i);
      document.querySelectorAll("#seq .seqrow").forEach(g => g.classList.toggle("sel", +g.dataset.p === i));
      if (scroll) document.getElementById("walk").scrollIntoView();
    }
  }
  window.addEventListener("hashchange", () => route(true));
  drawConns();
  drawPackets();
  route(false);
  document.body.dataset.ready = "1";
})().catch(e => {
  document.body.dataset.ready = "error";
  console.error("report: " + (e && e.stack || e));
});

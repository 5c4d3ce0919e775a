// The drill-down: one connection in a modal dialog, from the `stream_connection` request: its
// truth (label, category, whether its type is novel), each running strategy's score against
// its current threshold with the features that contributed most, and its 41 fields. For a
// strategy whose model carries a rule (the KDD byte rule) that flagged the connection, the
// verdict also shows the model's own score against the threshold, and Python's reasons are
// listed in words above the table. Escape or Close shuts it and focus goes back to where it
// came from.
//
// The dialog is opened with show() and made modal here (aria-modal, focus kept inside, a press
// outside closes it without reaching the page, the page dimmed by the dialog's shadow), not with
// showModal(): showModal() makes the whole page inert, and Chrome restyles every element of the
// page for that on opening and again on closing (15-20 ms on the stream page, during which the
// Python reply waits), where show() restyles the dialog alone (issue 13).

import { formatCount } from "./text.js";

const fmtScore = (v) => (Math.abs(v) >= 1e4 || (v !== 0 && Math.abs(v) < 1e-3) ? v.toExponential(3) : v.toPrecision(4));

function el(tag, text, className) {
  const e = document.createElement(tag);
  if (text !== undefined) e.textContent = text;
  if (className) e.className = className;
  return e;
}

export class ConnectionDetail {
  /** @param {HTMLDialogElement} dialog; @param {object} python - the PythonClient;
   * @param {(message: string) => void} notify */
  constructor(dialog, python, notify) {
    Object.assign(this, { dialog, python, notify });
    this.opener = null;
    this.asked = 0;
    this.early = null;  // {row, reply, pending}: asked ahead, on a press on or focus to a feed row
    this.returning = false;  // focus is going back to the opener (the dialog has closed)
    // A feed row carries its table row (data-row): asked ahead when pressed or focused.
    const ahead = (event) => {
      if (dialog.open || this.returning || !(event.target instanceof Element)) return;
      const tr = event.target.closest("#feed-body tr[data-row]");
      if (tr) this.prefetch(Number(tr.dataset.row));
    };
    document.addEventListener("pointerdown", ahead, true);
    document.addEventListener("focusin", ahead, true);
    this.body = dialog.querySelector(".detail-body");
    this.closeButton = dialog.querySelector(".detail-close");
    this.closeButton.addEventListener("click", () => dialog.close());
    dialog.setAttribute("aria-modal", "true");
    dialog.tabIndex = -1;  // a click on its text keeps focus in the dialog (not on the page)
    dialog.addEventListener("close", () => {
      const back = this.opener;
      this.opener = null;
      this.returning = true;  // focus going back to a feed row is not a reason to ask ahead
      if (back && back.isConnected) back.focus();
      this.returning = false;
    });
    dialog.addEventListener("keydown", (event) => this.key(event));
    // While it is open the page under it takes no pointer or focus: a press outside the
    // dialog's box closes it (as a click on a modal dialog's backdrop does) and goes no further.
    const outside = (event) => dialog.open && event.target instanceof Node && !dialog.contains(event.target);
    for (const type of ["pointerdown", "mousedown", "mouseup", "pointerup", "click", "dblclick", "contextmenu"]) {
      document.addEventListener(type, (event) => {
        if (!outside(event)) return;
        event.preventDefault();
        event.stopPropagation();
        if (type === "click") dialog.close();
      }, true);
    }
    document.addEventListener("focusin", (event) => { if (outside(event)) this.closeButton.focus(); }, true);
  }

  /** Escape closes; Tab and Shift+Tab go round the dialog's controls. */
  key(event) {
    if (event.key === "Escape") {
      event.preventDefault();
      this.dialog.close();
      return;
    }
    if (event.key !== "Tab") return;
    const stops = [...this.dialog.querySelectorAll("button, summary, a[href], input, select, textarea, [tabindex='0']")]
      .filter((e) => !e.disabled && e.getClientRects().length > 0);
    if (!stops.length) return;
    const [first, last] = [stops[0], stops[stops.length - 1]];
    const at = document.activeElement;
    if (event.shiftKey ? at === first || at === this.dialog : at === last) {
      event.preventDefault();
      (event.shiftKey ? last : first).focus();
    }
  }

  /** Ask Python for table `row` before it is opened (a press on its feed row comes some 50-100
   * ms before the click; a row reached with the arrow keys is likely opened next): the open of
   * that row takes this answer. One at a time, so that arrowing through the feed does not queue
   * requests ahead of the open. */
  prefetch(row) {
    if (row === undefined || this.early?.row === row || this.early?.pending) return;
    const early = { row, pending: true, reply: this.python.request("stream_connection", { row }) };
    early.reply.catch(() => {}).finally(() => { early.pending = false; });  // open() sees errors
    this.early = early;
  }

  /** Open the connection of table `row` at play position `p` (null: not in the play order);
   * `tracks` are the running strategies (their current thresholds are the ones shown). */
  async open({ row, position, tracks }, opener) {
    const asked = ++this.asked;
    // Ask first: Python works on the connection while this thread opens the dialog. An answer
    // asked ahead for this row (see prefetch) is taken, once; if it failed, ask again.
    const early = this.early?.row === row ? this.early.reply : null;
    this.early = null;
    const asking = early
      ? early.catch(() => this.python.request("stream_connection", { row }))
      : this.python.request("stream_connection", { row });
    this.opener = opener ?? (document.activeElement instanceof HTMLElement ? document.activeElement : null);
    this.dialog.dataset.state = "loading";
    this.dialog.dataset.row = String(row);
    this.dialog.querySelector(".detail-title").textContent =
      position === null ? `Connection (row ${row})` : `Connection #${formatCount(position + 1)}`;
    this.body.replaceChildren(el("p", "Asking Python for this connection…", "hint"));
    if (!this.dialog.open) {
      this.dialog.show();
      this.closeButton.focus();
    }
    let reply;
    try {
      reply = await asking;
    } catch (err) {
      if (asked !== this.asked) return;
      this.body.replaceChildren(el("p", `This connection could not be shown: ${err.message}`, "hint"));
      this.dialog.dataset.state = "failed";
      return;
    }
    if (asked !== this.asked || !this.dialog.open) return;
    this.body.replaceChildren(this.truth(reply), this.ruleReasons(reply, tracks), this.verdicts(reply, tracks),
      this.methods(reply, tracks), this.fields(reply));
    this.dialog.dataset.state = "ready";
  }

  truth(reply) {
    const p = el("p", undefined, "detail-truth");
    p.append(el("strong", `${reply.attack ? "▲" : "●"} ${reply.label}`, reply.attack ? "attack" : "normal"));
    p.append(` · ${reply.attack ? `category ${reply.category} (${reply.category_title})` : "normal traffic"}`);
    if (reply.attack) {
      p.append(" · ");
      p.append(reply.novel
        ? el("span", "novel type: never in the training file", "badge novel")
        : el("span", "a type seen in the training file", "hint"));
    }
    p.dataset.label = reply.label;
    p.dataset.category = reply.category;
    p.dataset.novel = String(reply.novel);
    return p;
  }

  verdicts(reply, tracks) {
    const table = el("table", undefined, "detail-scores");
    table.createCaption().textContent = "Each strategy: score against its current threshold (above = called an attack)";
    const head = table.createTHead().insertRow();
    const cols = ["strategy", "score", "threshold", "verdict"];
    const explained = reply.explanations !== null && reply.explanations !== undefined;
    if (explained) cols.push("top contributing features");
    for (const c of cols) { const th = el("th", c); th.scope = "col"; head.append(th); }
    const body = table.createTBody();
    for (const t of tracks) {
      const score = reply.scores[t.name];
      if (score === undefined) continue;
      const flagged = score > t.threshold;
      const right = flagged === reply.attack;
      const tr = body.insertRow();
      tr.dataset.name = t.name;
      tr.dataset.score = String(score);
      const th = el("th", t.title);
      th.scope = "row";
      const [scoreCell, thresholdCell] = [el("td", fmtScore(score), "num"), el("td", fmtScore(t.threshold), "num")];
      scoreCell.dataset.label = "score";
      thresholdCell.dataset.label = "threshold";
      const verdict = el("td", `${flagged ? "▲ attack" : "● normal"} ${right ? "✓ right" : "✗ wrong"}`, right ? "right" : "wrong");
      const rule = reply.rules?.[t.name];
      const own = reply.model_scores?.[t.name];
      if (rule?.flagged && own !== undefined) {
        const alone = own > t.threshold ? "above" : "below";
        const by = el("span", ` by ${rule.title}; the model alone: ${fmtScore(own)}, ${alone} the threshold`, "hint");
        by.dataset.own = String(own);
        verdict.append(by);
        tr.dataset.rule = "flagged";
      }
      tr.append(th, scoreCell, thresholdCell, verdict);
      if (explained) tr.append(this.contributions(reply.explanations[t.name], rule));
    }
    return table;
  }

  contributions(explanation, rule) {
    const td = el("td", undefined, "contrib");
    if (!explanation) return td;
    td.title = explanation.method;
    // Fields the rule flagged come first (Python puts them there), marked as the rule's.
    const ruled = new Set(explanation.rule_fields ?? []);
    const shown = explanation.features.filter(([name, v]) => ruled.has(name) || v > 0);
    td.textContent = shown.length
      ? shown.map(([name, v]) => (ruled.has(name) ? `${name} (${rule?.title ?? "rule"})` : `${name} +${fmtScore(v)}`)).join(" · ")
      : "no field raised this score";
    return td;
  }

  /** Why a rule flagged this connection, in Python's words: each reason once, with the
   * strategies whose rule gave it. */
  ruleReasons(reply, tracks) {
    const ul = el("ul", undefined, "detail-rule");
    const by = new Map();
    for (const t of tracks) {
      for (const reason of reply.rules?.[t.name]?.reasons ?? []) by.set(reason, [...(by.get(reason) ?? []), t.short]);
    }
    for (const [reason, names] of by) ul.append(el("li", `${reason} (${names.join(", ")})`));
    ul.hidden = by.size === 0;
    return ul;
  }

  /** How to read the contributions: each method once, with the strategies that use it. */
  methods(reply, tracks) {
    const ul = el("ul", undefined, "detail-methods");
    const by = new Map();
    for (const t of tracks) {
      const m = reply.explanations?.[t.name]?.method;
      if (m) by.set(m, [...(by.get(m) ?? []), t.short]);
    }
    for (const [method, names] of by) ul.append(el("li", `${names.join(", ")}: ${method}`));
    return ul;
  }

  fields(reply) {
    const wrap = el("details", undefined, "detail-fields");
    wrap.open = true;
    wrap.append(el("summary", `Its ${reply.fields.length} fields`));
    const dl = el("dl");
    for (const [name, text] of reply.fields) {
      const div = el("div");
      div.dataset.field = name;
      div.append(el("dt", name), el("dd", text));
      dl.append(div);
    }
    wrap.append(dl);
    return wrap;
  }
}

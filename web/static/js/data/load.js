// The load panel of the data page: a file picker and a drop zone (both keyboard operable: the
// picker is a labelled file input; the zone takes drops), the example picker, the load state and
// the load error next to the zone. It reads bytes and hands them to `onBytes(bytes, name, example)`
// (the controller sends them to Python's table_load); it knows no parsing rule. The size limit
// comes from Python's schema (`tables.limits.max_bytes`).

const MB = 2 ** 20;

function formatBytes(n) {
  return n >= MB ? `${(n / MB).toFixed(n >= 10 * MB ? 0 : 1)} MB` : `${Math.max(1, Math.round(n / 1024))} KB`;
}

export class LoadPanel {
  /** @param {{limits: {max_bytes: number, max_rows: number, max_columns: number},
   *  examples: object[], onBytes: (bytes: Uint8Array, name: string, example: object|null) =>
   *  Promise<void>}} options */
  constructor({ limits, examples, onBytes }) {
    this.$ = (id) => document.getElementById(id);
    this.limits = limits;
    this.examples = examples;
    this.onBytes = onBytes;
    this.busy = false;
    this.$("load-limits").textContent = `Comma, semicolon, tab or space separated; up to ${formatBytes(limits.max_bytes)}, `
      + `${limits.max_rows.toLocaleString("en")} rows and ${limits.max_columns} columns.`;
    this.renderExamples();
    this.wire();
  }

  renderExamples() {
    const items = this.examples.map((ex) => {
      const li = document.createElement("li");
      const button = document.createElement("button");
      button.type = "button";
      button.className = "example";
      button.dataset.example = ex.id;
      const title = document.createElement("strong");
      title.textContent = ex.title;
      const text = document.createElement("span");
      text.textContent = ex.description;
      button.append(title, text);
      button.addEventListener("click", () => this.loadExample(ex));
      const source = document.createElement("p");
      source.className = "hint source";
      source.textContent = `Source: ${ex.source}`;
      li.append(button, source);
      return li;
    });
    this.$("examples").replaceChildren(...items);
  }

  wire() {
    const zone = this.$("dropzone");
    this.$("file-input").addEventListener("change", (e) => {
      const [file] = e.target.files;
      e.target.value = "";
      if (file) this.loadFile(file);
    });
    for (const type of ["dragenter", "dragover"]) {
      zone.addEventListener(type, (e) => {
        e.preventDefault();
        zone.dataset.state = "over";
      });
    }
    zone.addEventListener("dragleave", () => { zone.dataset.state = "idle"; });
    zone.addEventListener("drop", (e) => {
      e.preventDefault();
      zone.dataset.state = "idle";
      const files = [...(e.dataTransfer?.files ?? [])];
      if (files.length > 1) this.error(`Drop one file at a time (${files.length} were dropped).`);
      else if (files.length) this.loadFile(files[0]);
    });
    // A file dropped beside the zone would make the browser open it and leave the page.
    window.addEventListener("dragover", (e) => e.preventDefault());
    window.addEventListener("drop", (e) => e.preventDefault());
  }

  /** A user's file: checked against the size limit before it is read. */
  async loadFile(file) {
    if (file.size > this.limits.max_bytes) {
      this.error(`${file.name} is ${formatBytes(file.size)}; the limit is ${formatBytes(this.limits.max_bytes)} `
        + `(${this.limits.max_bytes.toLocaleString("en")} bytes). Nothing was read; the current table stays.`);
      return;
    }
    await this.run(file.name, null, async () => new Uint8Array(await file.arrayBuffer()));
  }

  /** An example: fetched from this site and loaded exactly like a user's file. */
  async loadExample(example) {
    await this.run(example.title, example, async () => {
      const response = await fetch(example.file);
      if (!response.ok) throw new Error(`${example.file} could not be fetched (HTTP ${response.status})`);
      return new Uint8Array(await response.arrayBuffer());
    });
  }

  async run(name, example, read) {
    if (this.busy) return;
    this.setBusy(true, `Reading ${name}…`);
    this.error("");
    try {
      const bytes = await read();
      this.status(`Parsing and profiling ${name} in Python (${formatBytes(bytes.byteLength)})…`);
      await this.onBytes(bytes, example ? example.file.split("/").pop() : name, example);
    } catch (err) {
      this.error(err.message);
    } finally {
      this.setBusy(false);
    }
  }

  setBusy(busy, message = "") {
    this.busy = busy;
    this.$("load-state").hidden = !busy;
    this.$("dropzone").dataset.state = busy ? "busy" : "idle";
    for (const b of document.querySelectorAll("#examples button")) b.disabled = busy;
    this.$("file-input").disabled = busy;
    document.getElementById("load").dataset.busy = busy ? "true" : "false";
    if (message) this.status(message);
  }

  status(message) {
    this.$("load-status").textContent = message;
  }

  /** Show Python's (or the reader's) message next to the zone; "" hides it. */
  error(message) {
    const box = this.$("load-error");
    box.textContent = message;
    box.hidden = !message;
    if (message) this.status("");
  }
}

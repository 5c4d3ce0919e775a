// Upload a model (its NAME.json manifest and NAME.npz weights) and score the current table
// with it through `table_upload_model`; the page then says whether its scores equal those of
// the fitted detector of the same kind (Python compares them and sends the largest difference).
import { el, setStatus, shortNumber, values } from "./results_dom.js";

export class ModelUpload {
  /** @param {HTMLElement} container  @param {object} python  @param {number} maxBytes  the
   *  largest file the page reads (Python's table size limit, from the schema) */
  constructor(container, python, maxBytes) {
    this.python = python;
    this.maxBytes = maxBytes;
    this.generation = 0;
    this.input = el("input", { type: "file", id: "model-upload", multiple: true, accept: ".json,.npz,application/json,application/zip" });
    this.status = el("p", { className: "use-status", id: "model-upload-status", attrs: { role: "status", "aria-live": "polite" } });
    container.append(
      el("label", { htmlFor: "model-upload" }, "Choose the two files of a model (NAME.json and NAME.npz) "),
      this.input, this.status);
    this.input.addEventListener("change", async () => {
      await this.upload([...this.input.files]);
      this.input.value = "";
    });
  }

  /** @param {File[]} files */
  async upload(files) {
    const generation = ++this.generation;
    const json = files.find((f) => f.name.toLowerCase().endsWith(".json"));
    const npz = files.find((f) => f.name.toLowerCase().endsWith(".npz"));
    if (!json || !npz || files.length !== 2) {
      setStatus(this.status, "Choose exactly two files: the model's NAME.json manifest and its NAME.npz weights.", true);
      return;
    }
    const big = [json, npz].find((f) => f.size > this.maxBytes);
    if (big) {
      setStatus(this.status, `${big.name} is ${(big.size / 2 ** 20).toFixed(1)} MB, over the ` +
        `${(this.maxBytes / 2 ** 20).toFixed(0)} MB limit, so it was not read.`, true);
      return;
    }
    setStatus(this.status, `Scoring your table with ${json.name}…`);
    let reply;
    try {
      const manifest = await json.text();
      const weights = new Uint8Array(await npz.arrayBuffer());
      reply = await this.python.request("table_upload_model", { manifest, npz: weights }, [weights.buffer]);
    } catch (err) {
      if (generation === this.generation) setStatus(this.status, `This model cannot be used: ${err.message}`, true);
      return;
    }
    if (generation !== this.generation) return;
    setStatus(this.status, uploadedText(reply));
    this.status.dataset.rows = String(values(reply.scores).length);
    if (reply.compared) this.status.dataset.maxDifference = String(reply.compared.max_difference);
  }

  clear() {
    this.generation += 1;
    setStatus(this.status, "");
    delete this.status.dataset.rows;
    delete this.status.dataset.maxDifference;
  }
}

function uploadedText({ name, kind, scores, compared }) {
  const n = values(scores).length;
  const head = `Scored the ${n.toLocaleString("en")} rows of your table with “${name}” (${kind}).`;
  if (!compared) return `${head} No detector of this kind is fitted on this page, so there is nothing to compare with.`;
  const diff = compared.max_difference;
  return compared.identical
    ? `${head} Its scores are identical to the fitted detector (max difference ${shortNumber(diff)}).`
    : `${head} Its scores differ from the fitted detector's: max difference ${shortNumber(diff)}.`;
}

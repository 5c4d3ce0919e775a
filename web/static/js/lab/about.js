// The "How it works" section: explainer numbers from Python (per model, loaded when the
// section is first shown) rendered into its three views and its text.

export function createAboutActions({ state, python, render, notify, clearNotice, $, views, renderEdgeCases }) {
  function renderAbout() {
    const a = state.about.model === state.model ? state.about.data : null;
    const model = state.models.find((m) => m.name === state.model);
    views.layers.update(a && { layers: a.layers });
    renderEdgeCases(a);
    if (!a) return;
    $("about-layers-text").textContent = `${model.title} (${model.kind}): ` +
      a.layers.map((l) => `${l.units} ${l.label}`).join(" → ") + `; ${model.parameters.toLocaleString("en")} parameters.`;
    const t = a.tendency;
    const share = `${(t.closer_to_mean * 100).toFixed(0)}% of the ${t.n} abnormal test beats`;
    $("about-tendency-text").textContent = (t.closer_to_mean >= 0.5
      ? `What this model tends to do: for ${share}, its reconstruction is closer to the mean normal beat than to the ` +
        "beat itself — it redraws the normal beat it knows."
      : "A common story is that the model simply redraws the mean normal beat. Measured here, that holds for only " +
        `${share}: this model copies most abnormal beats in part, and misses the parts that are unlike normal beats — ` +
        "which is where the error comes from.") +
      ` Below, the abnormal beat with the median score: its copy is ${t.example_to_mean.toPrecision(3)} from the mean ` +
      `normal beat and ${t.example_to_input.toPrecision(3)} from the beat (mean squared difference).`;
    views.tendency.update({ beat: t.example_beat.data, reconstruction: t.example_reconstruction.data,
                            meanNormal: a.mean_normal.data });
    const scaled = state.about.scale === "model";
    views.classes.update({ means: (scaled ? a.class_means_model : a.class_means).data, width: a.class_means.shape[1],
                           names: state.ecg.class_names, train: a.counts_train.data, test: a.counts_test.data });
    $("about-steps").textContent = a.steps.length
      ? `This model's preprocessing: ${a.steps.join(" → ")}. The toggle shows the class means before and after it.`
      : "This model's preprocessing has no steps: ECG5000 beats are already z-normalised one by one (each beat has " +
        "mean 0 and standard deviation 1), so the model sees the values as they are in the file and both views are the same.";
    $("about-accuracy").textContent =
      `In the test file ${(100 - a.all_normal_accuracy * 100).toFixed(1)}% of the beats are abnormal. A "model" that calls ` +
      `every beat normal is right ${(a.all_normal_accuracy * 100).toFixed(1)}% of the time and catches nothing. On ` +
      "imbalanced data, read recall (how many abnormal beats are caught) and precision (how many flags are right), or " +
      "their balance F1, and the ROC curve, which does not depend on any one threshold.";
  }

  async function loadAbout() {
    if (state.about.model === state.model) return;
    const model = state.model;
    try {
      const data = await python.request("explainer", { model });
      if (model !== state.model) return;
      state.about = { ...state.about, model, data };
      clearNotice("about");
    } catch (err) {
      notify(err.message, "about");
    }
    if (state.section === "about") render();
  }

  function wire() {
    for (const radio of document.querySelectorAll('input[name="about-scale"]')) {
      radio.addEventListener("change", (e) => { state.about.scale = e.target.value; render(); });
    }
  }

  return { renderAbout, loadAbout, wire };
}

// A background job's page: asks the API how far the job is every two seconds, shows it (the status line
// is an aria-live region, so screen readers hear the changes), and reloads the page once the job is
// finished, so that the server shows its result. Without JavaScript the page reloads itself instead.
(function () {
  "use strict";
  var box = document.querySelector("[data-job-running]");
  if (!box || !window.fetch) {
    return;
  }
  var url = box.getAttribute("data-job-url");
  var bar = box.querySelector("progress");
  var statusLabels = {queued: "Waiting for a worker", running: "Running", done: "Done", failed: "Failed"};

  function field(name) {
    return box.querySelector('[data-job-field="' + name + '"]');
  }

  function show(job) {
    field("status").textContent = statusLabels[job.status] || job.status;
    var rows = field("rows");
    if (rows) {
      rows.textContent = job.rows_done.toLocaleString("en-US") +
        (job.rows_total ? " of about " + job.rows_total.toLocaleString("en-US") : "") + " rows";
    }
    field("message").textContent = job.message;
    if (bar && job.rows_total) {
      bar.max = job.rows_total;
      bar.value = Math.min(job.rows_done, job.rows_total);
    }
  }

  function poll() {
    fetch(url, {credentials: "same-origin", headers: {Accept: "application/json"}})
      .then(function (response) {
        if (!response.ok) {
          throw new Error("The job's address answered " + response.status);
        }
        return response.json();
      })
      .then(function (job) {
        show(job);
        if (job.finished) {
          window.location.reload();
        } else {
          window.setTimeout(poll, 2000);
        }
      })
      .catch(function () {
        window.setTimeout(poll, 5000);
      });
  }

  window.setTimeout(poll, 1000);
})();

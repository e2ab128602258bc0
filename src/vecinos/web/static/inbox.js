// The demo inbox refreshes itself every few seconds, unless someone is typing a text back.
"use strict";

(function () {
  const threads = document.getElementById("threads");
  if (!threads) return;

  async function refresh() {
    if (threads.contains(document.activeElement) && document.activeElement.tagName === "INPUT") return;
    const answer = await fetch("/demo/inbox/threads", { cache: "no-store" }).catch(() => null);
    if (answer && answer.ok) threads.innerHTML = await answer.text();
  }

  setInterval(refresh, 3000);
})();

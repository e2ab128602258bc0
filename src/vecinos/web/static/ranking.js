// Where a card goes on the dispatcher's board, as the server puts it (console.js decides when):
// in the list its lane names, ranked most sources first, then newest; and whether an answer's
// card is newer than the one shown. The card under the keyboard's focus is never taken from
// under it: within its list the others move around it, and it does not move into a folded
// list while focused.
"use strict";

window.vecinos.ranking = (function () {
  // Whether card `a` comes before card `b`, as the server ranks them: more sources first, then
  // newer (ISO times of one time zone sort as text), then the higher number.
  function ahead(a, b) {
    const sources = Number(a.dataset.sources) - Number(b.dataset.sources);
    if (sources !== 0) return sources > 0;
    if (a.dataset.opened !== b.dataset.opened) return a.dataset.opened > b.dataset.opened;
    return Number(a.dataset.incident) > Number(b.dataset.incident);
  }

  function inOrder(card) {
    const before = card.previousElementSibling;
    const after = card.nextElementSibling;
    return (!before || ahead(before, card)) && (!after || ahead(card, after));
  }

  function insert(list, item) {
    const before = [...list.children].find((other) => other !== item && ahead(item, other));
    list.insertBefore(item, before || null);
  }

  function focusedIn(card) {
    return card.contains(document.activeElement);
  }

  // Whether a card moved into `list` could keep the keyboard's focus (not folded away).
  function reachable(list) {
    const fold = list.closest("details");
    return !fold || (fold.open && !fold.hidden);
  }

  // Whether `other` is on the wrong side of `card` in their list.
  function misplaced(other, card) {
    const follows = Boolean(card.compareDocumentPosition(other) & Node.DOCUMENT_POSITION_FOLLOWING);
    return follows === ahead(other, card);
  }

  // Puts a card in `list`, in rank. A focused card stays in its list while `list` is folded
  // away (the console moves it once the focus leaves it); moved to another open list it keeps
  // the focus.
  function arrange(card, list) {
    if (!focusedIn(card)) {
      if (card.parentElement !== list || !inOrder(card)) insert(list, card);
      return;
    }
    if (card.parentElement === list || !reachable(list)) {
      [...card.parentElement.children].filter((other) => other !== card && misplaced(other, card))
        .forEach((other) => insert(card.parentElement, other));
      return;
    }
    const button = document.activeElement;
    insert(list, card);
    button.focus({ preventScroll: true });
  }

  // Whether an answer's `item` is newer than the card shown: a later version, or the same one
  // from a later answer (its lane may have changed: the flood folded or unfolded). A "gone"
  // marker has no version; the later answer decides.
  function fresher(item, answer, card) {
    if (!item.dataset.gone && item.dataset.version !== card.dataset.version) {
      return Number(item.dataset.version) > Number(card.dataset.version);
    }
    return answer >= Number(card.dataset.asked || 0);
  }

  return { arrange, insert, fresher, focusedIn };
})();

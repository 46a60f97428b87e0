// The atlas's search box: Material's header search, answered by Pagefind (atlas/search.py).
// Pagefind and the word lists (search/synonyms.yaml) load on first use; each query runs as
// all of its words, with other spellings, Greek letters and lay words, and as a phrase, and
// the answers are merged so that pages with the phrase or every word come first. Topic pages
// (classes, limitations, glossary ...) are searched first and the ones the query names lead;
// studies, trials and references, most of a large atlas, are added once the reader pauses.
(() => {
  "use strict";
  const root = document.querySelector("[data-atlas-search]");
  const toggle = document.getElementById("__search");
  if (!root || !toggle) return;
  const input = root.querySelector(".md-search__input");
  const list = root.querySelector(".md-search-result__list");
  const meta = root.querySelector(".md-search-result__meta");
  const form = root.querySelector("form");
  const config = JSON.parse(document.getElementById("__config").textContent);
  const base = new URL(config.base.replace(/\/?$/, "/"), location.href);
  const SHOWN = 10;
  const ENTRIES = /^(Glossary|Cell sources|Organisations|Proposed models)$/;  // pages of many short entries
  // words that never decide a match on their own
  const STOP = new Set(("a about all also am an and any are as at be been but by can could did do does each for " +
    "from get had has have how i if in into is it its just many me more most much my no not of on or other our " +
    "should so some such than that the their them then there these they this to too very was we were what when " +
    "where which who why will with would you your").split(" "));

  // The topic pages' own index and the word lists load on first use (focus); the whole index
  // (Pagefind's own instance, in its worker) once the first results are on screen.
  const pagefindModule = () => import(new URL("pagefind/pagefind.js", base).href);
  let engine = null, whole = null;
  function load() {
    if (!engine) {
      engine = Promise.all([
        topicIndex(),
        fetch(new URL("assets/search/terms.json", base)).then(r => (r.ok ? r.json() : {})).catch(() => ({})),
      ]).then(([topics, terms]) => ({ topics, rules: rulesFrom(terms) }));
      engine.catch(() => { engine = null; });
    }
    return engine;
  }
  function wholeIndex() {
    if (!whole) {
      whole = pagefindModule().then(async pagefind => {
        await pagefind.options({ baseUrl: base.pathname, excerptLength: 22 });
        await pagefind.init();
        return pagefind;
      });
      whole.catch(() => { whole = null; });
    }
    return whole;
  }

  // The topic pages' own index (atlas/search.py), searched in this thread: the whole index
  // lives in Pagefind's worker, where a search of studies may be under way. Without a worker
  // both would share this thread's WebAssembly, so then topics are asked of the whole index.
  async function topicIndex() {
    const at = new URL("pagefind-topics/", base);
    if (typeof Worker === "undefined" || !(await fetch(new URL("pagefind-entry.json", at)).then(r => r.ok, () => false))) {
      return null;
    }
    const topics = (await pagefindModule()).createInstance({ basePath: at.pathname, noWorker: true });
    await topics.options({ baseUrl: base.pathname, excerptLength: 22 });
    await topics.init();
    return topics;
  }

  // --- query words and their other forms -----------------------------------------------------
  function rulesFrom(terms) {
    const parts = [];
    for (const [uk, us] of Object.entries(terms.spellings || {})) {
      parts.push(part(uk, us), part(us, uk));
    }
    const greek = [];
    for (const [letter, name] of Object.entries(terms.greek || {})) greek.push([letter, name]);
    const lay = Object.entries(terms.lay || {}).map(([k, v]) => [k.split(/\s+/), v]);
    return { parts, greek, lay };
  }
  function part(from, to) {  // "haem-": start of a word, "-ise": end, else anywhere
    const at = from.endsWith("-") ? "start" : from.startsWith("-") ? "end" : "any";
    return { from: from.replace(/^-|-$/g, ""), to: to.replace(/^-|-$/g, ""), at };
  }
  function otherForms(word, rules) {
    const out = new Set();
    for (const r of rules.parts) {
      const i = r.at === "end" ? word.length - r.from.length : word.indexOf(r.from);
      if (i < 0 || !word.slice(i).startsWith(r.from) || (r.at === "start" && i !== 0)) continue;
      if (r.at === "end" && !word.endsWith(r.from)) continue;
      out.add(word.slice(0, i) + r.to + word.slice(i + r.from.length));
    }
    for (const [letter, name] of rules.greek) {
      if (word.includes(letter)) out.add(word.split(letter).join(name + (word.endsWith(letter) ? "" : " ")).trim());
      // the name is text, never pattern syntax (search/synonyms.yaml is checked too)
      const named = new RegExp(`(^|-)${name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}(?=$|[-\\s\\d])`);  // "beta-cell", "tgf-beta"
      if (named.test(word)) out.add(word.replace(named, `$1${letter}`));
    }
    out.delete(word);
    return [...out];
  }
  // a pasted DOI link or "doi:" prefix: the DOI itself is what pages hold
  const bare = q => q.trim().replace(/^(https?:\/\/(dx\.)?doi\.org\/|doi:\s*)/i, "");
  const wordsOf = q => bare(q).toLowerCase().replace(/[“”"«»()[\]{},;:!?]/g, " ").replace(/[’‘]/g, "'").split(/\s+/).filter(Boolean);
  // Words of every page of the atlas: they narrow nothing when a query has other words.
  const EVERYWHERE = new Set(["type", "1", "i", "diabetes", "diabetic", "t1d", "t1dm", "stem", "cell", "cells", "therapy"]);
  const content = words => {
    const kept = words.filter(w => !STOP.has(w) && (w.length > 1 || /\d/.test(w)));
    const narrow = kept.filter(w => !EVERYWHERE.has(w));
    return narrow.length ? narrow : kept.length ? kept : words;
  };

  // Query strings to run, each with how much its answers count. A run marked topicOnly
  // is asked of topic pages only: it is cheap there and slow over thousands of studies.
  function plan(q, rules) {
    const words = wordsOf(q);
    const keep = content(words);
    const runs = [];
    const add = (text, weight, topicOnly = false, part = false) => {
      if (text && !runs.some(r => r.text === text)) runs.push({ text, weight, topicOnly, part });
    };
    add(keep.join(" "), 1);
    // with the words found everywhere too ("stem cell derived islets"), a little above
    const every = words.filter(w => !STOP.has(w) && (w.length > 1 || /\d/.test(w)));
    if (every.length > keep.length) add(every.join(" "), 1.2, true);
    keep.forEach((w, i) => {
      for (const other of otherForms(w, rules)) add(keep.map((x, j) => (j === i ? other : x)).join(" "), 1);
    });
    add(keep.map(w => otherForms(w, rules)[0] || w).join(" "), 1);
    // hyphens vary ("stem-cell-derived", "stem cell-derived"): the words apart too
    const apart = content(keep.flatMap(w => w.split("-")));
    if (apart.length > 1) add(apart.join(" "), 1);
    // A reader's phrase in the lay list stands for the atlas's words; it counts in full when
    // it was the whole query, and alone too when the rest of the query has no place in it.
    for (const [key, values] of rules.lay) {
      for (let i = 0; i + key.length <= words.length; i++) {
        if (!key.every((k, j) => words[i + j] === k)) continue;
        const rest = keep.filter(w => !key.includes(w));
        for (const v of values) {
          add([v, ...rest].join(" "), rest.length ? 0.6 : 1);
          if (rest.length) add(v, 0.4, false, true);
        }
      }
    }
    // the site prints a DOI as "doi:10..." (one word to Pagefind); a bare DOI is part of it
    const id = bare(q);
    if (/^10\.\d{4,9}\/\S+$/.test(id)) add("doi" + id, 1);
    const phrase = keep.length > 1 ? `"${words.join(" ")}"` : null;
    return { runs: runs.slice(0, 10), phrase, keep };
  }

  // --- the page names a query names ------------------------------------------------------------
  // "VX-880" is vx, 880 and vx880; "β-cell" is β, cell and βcell
  const tokens = s => {
    const plain = s.toLowerCase().normalize("NFKD").replace(/[\u0300-\u036f]/g, "");
    const split = plain.split(/[^\p{L}\p{N}]+/u);
    const joined = plain.split(/[\s,;:()|]+/).map(w => w.replace(/[^\p{L}\p{N}]/gu, ""));
    return [...new Set([...split, ...joined])].filter(Boolean);
  };
  // a query word meets a name word typed in part ("transpl") or as a plural ("islets")
  const meets = (w, t) => t === w || (w.length >= 3 && t.startsWith(w)) ||
    (t.length >= 3 && w.startsWith(t) && w.length - t.length <= 2);
  // A topic page is named by the query when one of its names holds every word of one run
  // that stands for the whole query (1: "teratoma" in "Teratoma risk"), the more so when that
  // is the whole name (the names returned: "MSC"). A page of many entries (the glossary) is
  // about none of them alone.
  function named(data, runs) {
    const names = [data.meta.title || "", ...(data.meta.names || "").split("|")].map(tokens).filter(n => n.length);
    const many = ENTRIES.test(data.meta.kind || "");
    let hit = 0;
    const whole = new Set();
    for (const run of runs) {
      if (run.part) continue;
      const ws = run.text.split(/\s+/).flatMap(w => tokens(w).filter(t => t.length > 1 || /\d/.test(t)));
      if (!ws.length) continue;
      for (const n of names) {
        if (!ws.every(w => n.some(t => meets(w, t)))) continue;
        hit = 1;
        if (!many && n.every(t => ws.some(w => meets(w, t)))) whole.add(n.join(" "));
      }
    }
    return { hit, whole };
  }

  // --- searching --------------------------------------------------------------------------------
  const TOPIC = { filters: { group: "topic" } };
  const LISTED = { filters: { not: { group: "part" } } };  // topics and records
  const BETS = 3;  // pages the query names that go first, at most
  // topic results read to find those, and shown first: one round of requests (a browser
  // opens six at a time to a host)
  const HEADS = 6;
  const PHRASE_MAX = 1500;  // results past which the phrase is not run over the whole index
  // What the box waits for ends early when the reader types on: a search of studies under
  // way in Pagefind's worker runs to its end, but the next key's topic pages need not wait.
  let waiters = [];
  const typedOn = () => (again ? Promise.resolve() : new Promise(r => waiters.push(r)));
  const unlessTyped = promise => Promise.race([promise, typedOn().then(() => null)]);
  const sleep = ms => unlessTyped(new Promise(r => setTimeout(r, ms)));

  // Runs of a plan over one index: result id -> {result, score}, the ids that answer a run
  // standing for the whole query, and the most results of one run. Pagefind ranks a
  // phrase's pages alike, so the phrase doubles the score of its pages.
  async function ask(search, runs, phrase, stale) {
    const found = new Map(), whole = new Set(), phrased = new Set();
    let most = 0;
    for (const run of runs) {
      const answer = await unlessTyped(search(run));
      if (stale()) return null;
      most = Math.max(most, answer?.results.length || 0);
      for (const r of answer?.results || []) {
        const seen = found.get(r.id);
        if (!seen || seen.score < r.score * run.weight) found.set(r.id, { result: r, score: r.score * run.weight });
        if (!run.part) whole.add(r.id);
      }
    }
    if (phrase && most < PHRASE_MAX) {
      for (const r of (await unlessTyped(search({ text: phrase })))?.results || []) phrased.add(r.id);
      if (stale()) return null;
    }
    for (const id of phrased) if (found.has(id)) found.get(id).score *= 2;
    return { found, whole, phrased: phrase && most < PHRASE_MAX ? phrased : null };
  }
  const byScore = found => [...found.values()].sort((a, b) => b.score - a.score).map(x => x.result);

  // Topic pages first: few however many studies the atlas holds, so they answer at once, and
  // the pages the query names lead the list, above any number of studies (Pagefind's time
  // grows with the pages a word is on times the pages found). The whole index, studies,
  // trials and references with the topics, is asked once the reader stops typing.
  // stale() says the reader has typed on; shown(results, complete) puts a list on screen.
  async function find(q, stale, shown) {
    const loaded = await load();
    const { topics, rules } = loaded;
    const { runs, phrase, keep } = plan(q, rules);
    let first;
    try {
      first = await ask(async run => (topics ? topics.search(run.text) : (await wholeIndex()).search(run.text, TOPIC)),
        runs, phrase, stale);
    } catch (e) {
      if (!topics) throw e;
      loaded.topics = null;  // the topic index did not load (being written under `make serve`?)
      return find(q, stale, shown);
    }
    if (!first) return;
    const heads = byScore(first.found).slice(0, HEADS);
    const headData = await unlessTyped(Promise.all(heads.map(r => r.data())));
    if (stale()) return;
    // a whole name counts when no other page has it too ("ViaCyte" names three classes)
    const names = heads.map((r, i) => named(headData[i], runs));
    const holders = new Map();
    for (const n of names) for (const w of n.whole) holders.set(w, (holders.get(w) || 0) + 1);
    const quality = names.map(n => (!n.hit ? 0 : [...n.whole].some(w => holders.get(w) === 1) ? 2 : 1));
    // named pages by how wholly they are named, then by score (heads are in score order)
    const bets = new Set(heads.map((r, i) => [r.id, quality[i]]).filter(([, n]) => n).sort((a, b) => b[1] - a[1])
      .slice(0, BETS).map(([id]) => id));
    // Named pages first. One of the first three is a topic page when one answers the whole
    // query: on a common word a hundred studies alike would otherwise fill the first screen.
    const order = results => {
      const list = [...[...bets].map(id => results.find(r => r.id === id)).filter(Boolean),
        ...results.filter(r => !bets.has(r.id))];
      const i = list.findIndex(r => first.whole.has(r.id));
      if (i > 2) list.splice(2, 0, ...list.splice(i, 1));
      return list;
    };
    if (first.found.size) {
      await shown(order(heads), false);
      if (stale()) return;
      wholeIndex();  // loads while the reader reads
    }
    await sleep(Math.max(0, lastKey + (first.found.size ? SETTLE : SETTLE_EMPTY) - performance.now()));
    if (stale()) return;
    const pagefind = await unlessTyped(wholeIndex());
    if (stale()) return;
    const all = await ask(run => (run.topicOnly ? null : pagefind.search(run.text, LISTED)), runs, phrase, stale);
    if (!all) return;
    if (!all.phrased && first.phrased) {  // too common to ask of every page: the topic pages' phrase
      for (const id of first.phrased) if (all.found.has(id)) all.found.get(id).score *= 2;
    }
    // No page has every word: rank pages by how many of the words they have.
    if (all.found.size < 3 && keep.length > 1) {
      const count = new Map();
      for (const w of keep) {
        const got = new Map();
        for (const form of [w, ...otherForms(w, rules)]) {
          for (const r of (await unlessTyped(pagefind.search(form, LISTED)))?.results || []) {
            if (!got.has(r.id) || got.get(r.id).score < r.score) got.set(r.id, r);
          }
          if (stale()) return;
        }
        for (const [id, r] of got) {
          const c = count.get(id) || { n: 0, score: 0, result: r };
          c.n += 1; c.score += r.score;
          count.set(id, c);
        }
      }
      for (const c of count.values()) {
        if (!all.found.has(c.result.id)) all.found.set(c.result.id, { result: c.result, score: (c.n - keep.length) * 100 + c.score });
      }
    }
    await shown(order(byScore(all.found)), true);
  }

  // --- showing results ------------------------------------------------------------------------
  // One search at a time: keys typed meanwhile are answered together once it ends, so a
  // fast typist never queues a search per key (at 100x the corpus that backlog took seconds).
  // A search in progress gives up at its next step when the reader types on.
  const SETTLE = 100;  // ms without a key before studies are searched
  const SETTLE_EMPTY = 40;  // the same when no topic page has answered: the reader is waiting
  const PAUSE = 200;  // ms without a key before a query of two characters is searched
  let busy = null, again = false, lastKey = 0;
  function update() {
    lastKey = performance.now();
    if (busy) again = true;
    for (const w of waiters.splice(0)) w();
    if (busy) return;
    busy = (async () => {
      do { again = false; await show(input.value.trim()); } while (again);
    })().finally(() => { busy = null; });
  }

  async function show(q) {
    // one letter finds every page; two are searched once the reader pauses
    if (q.length < 2 || (q.length < 3 && (await sleep(PAUSE), again))) {
      if (q.length < 2) {
        list.replaceChildren();
        meta.textContent = meta.dataset.placeholder || meta.textContent;
      }
      return;
    }
    try {
      await find(q, () => again, async (results, complete) => {
        const datas = await unlessTyped(Promise.all(results.slice(0, SHOWN).map(r => r.data())));
        if (again) return;
        meta.textContent = !complete ? "Searching studies…" : results.length === 0 ? "No matching pages"
          : results.length === 1 ? "1 matching page" : `${results.length} matching pages`;
        list.replaceChildren(...datas.map(item));
        shownResults = { results, count: datas.length, complete };
        moreButton();
        root.dispatchEvent(new CustomEvent("atlas-search-results", { detail: { query: q, complete, shown: datas.length } }));
      });
    } catch (e) {
      meta.textContent = "Search could not load; open the site over http(s), not from a file.";
    }
  }

  // "Show more": the next ten results under the list, as often as the reader asks
  let shownResults = null;
  function moreButton() {
    const { results, count, complete } = shownResults;
    if (!complete || count >= results.length) return;
    const li = document.createElement("li");
    li.className = "md-search-result__item atlas-search-more";
    const button = document.createElement("button");
    button.type = "button";
    button.className = "md-button";
    const next = Math.min(SHOWN, results.length - count);
    button.textContent = `Show ${next} more of ${results.length - count} remaining`;
    button.addEventListener("click", async () => {
      const datas = await Promise.all(results.slice(count, count + SHOWN).map(r => r.data()));
      if (shownResults.results !== results) return;  // the reader typed a new query meanwhile
      li.remove();
      const added = datas.map(item);
      list.append(...added);
      shownResults = { results, count: count + datas.length, complete };
      moreButton();
      const link = added[0] && added[0].querySelector("a");
      if (link) link.focus();  // keyboard readers go on from the first new result
    });
    li.append(button);
    list.append(li);
  }

  function item(data) {
    const li = document.createElement("li");
    li.className = "md-search-result__item";
    const a = document.createElement("a");
    a.className = "md-search-result__link";
    const sub = section(data);
    a.href = sub ? sub.url : data.url;
    const article = document.createElement("article");
    article.className = "md-search-result__article md-typeset";
    const icon = document.createElement("div");
    icon.className = "md-search-result__icon md-icon";
    const h = document.createElement("h1");
    h.textContent = data.meta.title || data.url;
    if (sub && sub.title && sub.title !== data.meta.title) h.textContent += " › " + sub.title;
    const kind = document.createElement("p");
    kind.className = "atlas-search-kind";
    kind.textContent = [data.meta.kind, data.meta.year, data.meta.design].filter(Boolean).join(" · ");
    const text = document.createElement("p");
    text.append(...marked(sub ? sub.excerpt : data.excerpt));
    article.append(icon, h, kind, text);
    a.append(article);
    li.append(a);
    return li;
  }
  // On a page of many entries (glossary, references), go to the entry that matched.
  function section(data) {
    if (!ENTRIES.test(data.meta.kind || "") && data.meta.kind !== "Reference") return null;
    const subs = (data.sub_results || []).filter(s => s.url.includes("#"));
    if (!subs.length) return null;
    return subs.reduce((a, b) => ((b.locations || []).length > (a.locations || []).length ? b : a));
  }
  // Pagefind's excerpt as text nodes and <mark>s only: page text never becomes markup.
  function marked(excerpt) {
    const doc = new DOMParser().parseFromString(`<p>${excerpt || ""}</p>`, "text/html");
    return [...doc.body.firstChild.childNodes].map(n => {
      if (n.nodeName === "MARK") {
        const m = document.createElement("mark");
        m.textContent = n.textContent;
        return m;
      }
      return document.createTextNode(n.textContent);
    });
  }

  // --- the box: open, type, move, leave ---------------------------------------------------------
  meta.dataset.placeholder = meta.textContent.trim();
  const open = () => { if (!toggle.checked) { toggle.checked = true; toggle.dispatchEvent(new Event("change")); } };
  const close = () => { toggle.checked = false; toggle.dispatchEvent(new Event("change")); input.blur(); };
  input.addEventListener("focus", () => { open(); load(); });
  input.addEventListener("input", update);
  toggle.addEventListener("change", () => { if (toggle.checked && document.activeElement !== input) input.focus(); });
  // Focus that leaves the box (Tab past the last result, a click elsewhere) closes it, as
  // Material's own search does, so the page is never left dimmed behind an open panel.
  root.addEventListener("focusout", e => {
    if (!toggle.checked || (e.relatedTarget && root.contains(e.relatedTarget))) return;
    setTimeout(() => {
      const now = document.activeElement;
      if (toggle.checked && !(now && root.contains(now)) && now !== input) close();
    }, 0);
  });
  form.addEventListener("submit", e => e.preventDefault());
  form.addEventListener("reset", () => setTimeout(update, 0));
  const links = () => [...list.querySelectorAll(".md-search-result__link")];
  root.addEventListener("keydown", e => {
    const all = links();
    const at = all.indexOf(document.activeElement);
    if (e.key === "Escape") {
      close();
    } else if (e.key === "Enter" && document.activeElement === input && all.length) {
      e.preventDefault();
      all[0].click();
    } else if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      if (!all.length) return;
      e.preventDefault();
      const next = e.key === "ArrowDown" ? Math.min(at + 1, all.length - 1) : at - 1;
      (next < 0 ? input : all[next]).focus();
    }
  });
  // a button that opens the box (the page-not-found page)
  document.querySelectorAll("[data-atlas-open-search]").forEach(b => b.addEventListener("click", () => {
    open();
    input.focus();
  }));
  document.addEventListener("keydown", e => {
    const t = e.target;
    if (toggle.checked || e.ctrlKey || e.metaKey || e.altKey || t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName)) return;
    if (e.key === "/" || e.key === "s" || e.key === "f") {
      e.preventDefault();
      open();
      input.focus();
    }
  });
})();

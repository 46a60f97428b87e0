// The atlas's search box: Material's header search, answered by Pagefind (atlas/search.py).
// Pagefind and the word lists (search/synonyms.yaml) load on first use; each query runs
// as a phrase, as all of its words, and with other spellings, Greek letters and lay words,
// and the answers are merged so that pages with the phrase or every word come first.
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
  // words that never decide a match on their own
  const STOP = new Set(("a an and are as at be but by can do does for from has have how i if in into is it its " +
    "me my no not of on or our so than that the their them then there these they this to was we were what when " +
    "where which who why will with would you your").split(" "));

  let engine = null;
  function load() {
    if (!engine) {
      engine = Promise.all([
        import(new URL("pagefind/pagefind.js", base).href).then(async pagefind => {
          await pagefind.options({ baseUrl: base.pathname, excerptLength: 22 });
          await pagefind.init();
          return pagefind;
        }),
        fetch(new URL("assets/search/terms.json", base)).then(r => (r.ok ? r.json() : {})).catch(() => ({})),
      ]).then(([pagefind, terms]) => ({ pagefind, rules: rulesFrom(terms) }));
      engine.catch(() => { engine = null; });
    }
    return engine;
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
      const named = new RegExp(`(^|-)${name}(?=$|[-\\s\\d])`);  // "beta-cell", "tgf-beta"
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

  // Query strings to run, each with how much its answers count.
  function plan(q, rules) {
    const words = wordsOf(q);
    const keep = content(words);
    const runs = [];
    const add = (text, tier, weight) => {
      if (text && !runs.some(r => r.text === text)) runs.push({ text, tier, weight });
    };
    if (keep.length > 1) add(`"${words.join(" ")}"`, 3, 1);
    add(keep.join(" "), 2, 1);
    // with the words found everywhere too ("stem cell derived islets"), a little above
    const every = words.filter(w => !STOP.has(w) && (w.length > 1 || /\d/.test(w)));
    if (every.length > keep.length) add(every.join(" "), 2, 1.2);
    keep.forEach((w, i) => {
      for (const other of otherForms(w, rules)) add(keep.map((x, j) => (j === i ? other : x)).join(" "), 2, 1);
    });
    const all = keep.map(w => otherForms(w, rules)[0] || w).join(" ");
    add(all, 2, 1);
    // A reader's phrase in the lay list stands for the atlas's words; it counts in full when
    // it was the whole query.
    for (const [key, values] of rules.lay) {
      for (let i = 0; i + key.length <= words.length; i++) {
        if (!key.every((k, j) => words[i + j] === k)) continue;
        const rest = keep.filter(w => !key.includes(w));
        for (const v of values) add([v, ...rest].join(" "), 2, rest.length ? 0.6 : 1);
      }
    }
    return { runs: runs.slice(0, 10), keep };
  }

  async function find(q) {
    const { pagefind, rules } = await load();
    const { runs, keep } = plan(q, rules);
    const best = new Map();  // result id -> {result, rank}
    const note = (result, rank) => {
      const seen = best.get(result.id);
      if (!seen || seen.rank < rank) best.set(result.id, { result, rank });
    };
    const answers = await Promise.all(runs.map(r => pagefind.search(r.text)));
    // Pagefind ranks a phrase's pages alike, so a phrase lifts the ranks of all its words
    const phrase = new Set();
    answers.forEach((answer, i) => {
      if (runs[i].tier === 3) for (const r of answer?.results || []) phrase.add(r.id);
    });
    answers.forEach((answer, i) => {
      if (runs[i].tier === 3) return;
      for (const r of answer?.results || []) note(r, 1000 + r.score * runs[i].weight * (phrase.has(r.id) ? 2 : 1));
    });
    // No page has every word: rank pages by how many of the words they have.
    if (best.size < 3 && keep.length > 1) {
      const count = new Map();
      const each = await Promise.all(keep.map(w => Promise.all([w, ...otherForms(w, rules)].map(x => pagefind.search(x)))));
      each.forEach(forms => {
        const got = new Map();
        for (const answer of forms) for (const r of answer?.results || []) got.set(r.id, Math.max(got.get(r.id) || 0, r.score));
        for (const [id, score] of got) {
          const c = count.get(id) || { n: 0, score: 0, result: null };
          c.n += 1; c.score += score;
          c.result = forms.flatMap(a => a?.results || []).find(r => r.id === id);
          count.set(id, c);
        }
      });
      for (const c of count.values()) note(c.result, c.n * 100 + c.score);
    }
    return [...best.values()].sort((a, b) => b.rank - a.rank).map(x => x.result);
  }

  // --- showing results ------------------------------------------------------------------------
  // One search at a time: keys typed meanwhile are answered together once it ends, so a
  // fast typist never queues a search per key (at 100x the corpus that backlog took seconds).
  let busy = null, again = false;
  function update() {
    if (busy) { again = true; return; }
    busy = (async () => {
      do { again = false; await show(input.value.trim()); } while (again);
    })().finally(() => { busy = null; });
  }

  async function show(q) {
    if (!q) {
      list.replaceChildren();
      meta.textContent = meta.dataset.placeholder || meta.textContent;
      return;
    }
    let results;
    try {
      results = await find(q);
    } catch (e) {
      meta.textContent = "Search could not load; open the site over http(s), not from a file.";
      return;
    }
    if (again) return;  // the reader typed on: answer that instead
    const datas = await Promise.all(results.slice(0, SHOWN).map(r => r.data()));
    if (again) return;
    meta.textContent = results.length === 0 ? "No matching pages"
      : results.length === 1 ? "1 matching page" : `${results.length} matching pages`;
    list.replaceChildren(...datas.map(item));
    root.dispatchEvent(new CustomEvent("atlas-search-results", { detail: { query: q } }));
  }

  function item(data) {
    const li = document.createElement("li");
    li.className = "md-search-result__item";
    const a = document.createElement("a");
    a.className = "md-search-result__link";
    a.tabIndex = -1;
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
    if (!/^(Glossary|Reference|Cell sources|Organisations|Proposed models)$/.test(data.meta.kind || "")) return null;
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

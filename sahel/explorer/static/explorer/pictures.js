// Shared by the explorer's pictures: reading a page's JSON islands, and citations as DOM
// (text only: nothing read from the data is parsed as HTML). Each picture registers itself
// on window.sahelExplorer (for the browser console and the tests).
"use strict";

window.sahelExplorer = window.sahelExplorer || {};

window.sahelExplorer.data = function (id) {
  const island = document.getElementById(id);
  return island ? JSON.parse(island.textContent) : null;
};

window.sahelExplorer.element = function (tag, className, text) {
  const element = document.createElement(tag);
  if (className) element.className = className;
  if (text !== undefined && text !== null) element.textContent = String(text);
  return element;
};

// A claim's citations as the page's tables show them (explorer/_citations.html).
window.sahelExplorer.citations = function (citations) {
  const el = window.sahelExplorer.element;
  if (!citations || citations.length === 0) return el("p", "no-citations", "No citation.");
  const list = el("ol", "citations");
  for (const citation of citations) {
    const item = el("li", `citation stance-${citation.stance}`);
    if (citation.quote) item.append(el("blockquote", "", citation.quote));
    const line = el("p", "cited-source");
    line.append(el("span", "stance", citation.stance), " ");
    const source = citation.source;
    if (source) {
      if (source.url) {
        const link = el("a", "", source.title);
        link.href = source.url;
        link.rel = "noopener noreferrer";
        line.append(link);
      } else {
        line.append(source.title);
      }
      if (source.publisher) line.append(`, ${source.publisher}`);
      if (source.publication_date) line.append(`, ${source.publication_date.edtf}`);
    }
    if (citation.locator) line.append(" · ", el("span", "locator", citation.locator));
    if (source && source.reliability) line.append(` · source reliability ${source.reliability}`);
    if (citation.credibility) line.append(` · credibility ${citation.credibility}`);
    item.append(line);
    if (citation.note) item.append(el("p", "citation-note", citation.note));
    list.append(item);
  }
  return list;
};

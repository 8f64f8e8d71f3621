// The actor page's network (cytoscape): the nodes and edges of #network-data, edges
// labelled by type and styled by certainty. Selecting a node opens its page; selecting an
// edge shows the tie and its citations in #tie-details.
"use strict";

(function () {
  const container = document.getElementById("network");
  const data = window.sahelExplorer.data("network-data");
  if (!container || !data) return;
  const el = window.sahelExplorer.element;
  const DISPUTED = "#b3261e";

  const style = [
    {
      selector: "node",
      style: {
        label: "data(label)",
        "font-size": 11,
        "text-valign": "bottom",
        "text-margin-y": 4,
        "text-wrap": "wrap",
        "text-max-width": 120,
        "background-color": "#5b7083",
        width: 22,
        height: 22,
        color: "#1c2430",
        "text-background-color": "#ffffff",
        "text-background-opacity": 0.8,
        "text-background-padding": 1,
      },
    },
    { selector: 'node[kind = "person"]', style: { shape: "ellipse", "background-color": "#3d6a99" } },
    { selector: 'node[kind = "organization"]', style: { shape: "round-rectangle", "background-color": "#8a5a2b" } },
    { selector: 'node[kind = "ethnic_group"]', style: { shape: "hexagon", "background-color": "#4f7d4a" } },
    { selector: 'node[kind = "state"]', style: { shape: "diamond", "background-color": "#6b4f8a" } },
    { selector: 'node[kind = "armed_force"]', style: { shape: "triangle", "background-color": "#7a3b3b" } },
    {
      selector: "node[?root]",
      style: { width: 34, height: 34, "border-width": 4, "border-color": "#e0a100", "font-weight": "bold" },
    },
    {
      selector: "edge",
      style: {
        label: "data(label)",
        "font-size": 9,
        "curve-style": "bezier",
        "target-arrow-shape": "triangle",
        "arrow-scale": 0.9,
        width: 2,
        "line-color": "#4a5563",
        "target-arrow-color": "#4a5563",
        color: "#2b3440",
        "text-rotation": "autorotate",
        "text-background-color": "#ffffff",
        "text-background-opacity": 0.85,
        "text-background-padding": 1,
      },
    },
    { selector: "edge[?symmetric]", style: { "target-arrow-shape": "none" } },
    { selector: 'edge[certainty = "confirmed"]', style: { "line-style": "solid" } },
    { selector: 'edge[certainty = "probable"]', style: { "line-style": "dashed", "line-dash-pattern": [8, 4] } },
    { selector: 'edge[certainty = "possible"]', style: { "line-style": "dotted" } },
    { selector: 'edge[certainty = "doubtful"]', style: { "line-style": "dotted", opacity: 0.55 } },
    {
      selector: 'edge[certainty = "disputed"]',
      style: {
        "line-style": "dashed",
        "line-dash-pattern": [2, 3, 8, 3],
        "line-color": DISPUTED,
        "target-arrow-color": DISPUTED,
        color: DISPUTED,
        width: 3,
      },
    },
    { selector: "edge:selected", style: { width: 4, "line-color": "#e0a100", "target-arrow-color": "#e0a100" } },
  ];

  const cy = cytoscape({
    container,
    elements: [...data.nodes, ...data.edges],
    style,
    layout: { name: "preset" },
    boxSelectionEnabled: false,
  });

  // Rings around the actor: one ring a tie away.
  const root = cy.nodes("[?root]");
  const level = {};
  cy.elements().bfs({
    roots: root,
    visit: (node, edge, previous, index, depth) => {
      level[node.id()] = depth;
    },
  });
  const deepest = Math.max(0, ...Object.values(level));
  cy.layout({
    name: "concentric",
    concentric: (node) => deepest - (level[node.id()] || 0),
    levelWidth: () => 1,
    minNodeSpacing: 70,
    spacingFactor: 1.1,
    animate: false,
    fit: true,
    padding: 30,
  }).run();
  if (deepest > 1) {
    // Deeper networks: a force-directed layout from the rings (not random: the same
    // network is drawn the same way every time).
    cy.layout({
      name: "cose",
      randomize: false,
      animate: false,
      fit: true,
      padding: 30,
      nodeRepulsion: () => 40000,
      idealEdgeLength: () => 90,
      nodeDimensionsIncludeLabels: true,
    }).run();
  }

  cy.on("tap", "node", (event) => {
    const href = event.target.data("href");
    if (href && !event.target.data("root")) window.location.assign(href);
  });

  const details = document.getElementById("tie-details");
  function show(tie) {
    details.replaceChildren(
      el("h3", "", tie.text + (tie.role_title ? ` (${tie.role_title})` : "")),
      el("p", "tie-when", `Start: ${tie.start}. End: ${tie.end}.`),
      el("p", `certainty certainty-${tie.certainty}`, tie.certainty),
      window.sahelExplorer.citations(tie.citations),
    );
    const close = el("button", "close", "Close");
    close.type = "button";
    close.addEventListener("click", () => {
      details.hidden = true;
      cy.edges().unselect();
    });
    details.append(close);
    details.hidden = false;
  }
  cy.on("tap", "edge", (event) => show(event.target.data("tie")));

  container.dataset.drawnNodeCount = String(cy.nodes().length);
  container.dataset.drawnEdgeCount = String(cy.edges().length);
  container.dataset.ready = "true";
  window.sahelExplorer.network = cy;
})();

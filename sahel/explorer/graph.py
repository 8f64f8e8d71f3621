"""A walked network (`sahel.read.network`) as cytoscape elements: actors as nodes, ties
as edges labelled by their type and styled by certainty, each edge with its citations."""

from sahel.explorer.timeline import dates_label, describe


def elements(nodes: list[dict], edges: list[dict], *, root: int, href) -> dict:
    """`nodes`: actor summaries (id, slug, name, kind, certainty); `edges`: ties as the API
    shows them; `href(name, slug)`: a page's address."""
    drawn_nodes = [
        {
            "data": {
                "id": f"a{node['id']}",
                "label": node["name"],
                "kind": node["kind"],
                "certainty": node["certainty"],
                "href": href("actor", node["slug"]),
                "root": node["id"] == root,
            }
        }
        for node in nodes
    ]
    drawn_edges = []
    for tie in edges:
        kind, subject, obj = tie["type"], tie["subject"], tie["object"]
        label = kind["label"] + (" (disputed)" if tie["certainty"] == "disputed" else "")
        drawn_edges.append(
            {
                "data": {
                    "id": f"t{tie['id']}",
                    "source": f"a{subject['id']}",
                    "target": f"a{obj['id']}",
                    "label": label,
                    "certainty": tie["certainty"],
                    "symmetric": kind["symmetric"],
                    "tie": {
                        "text": f"{subject['name']} {kind['label']} {obj['name']}",
                        "role_title": tie["role_title"],
                        "when": dates_label(tie["start"], tie["end"]),
                        "start": describe(tie["start"]),
                        "end": describe(tie["end"]),
                        "certainty": tie["certainty"],
                        "citations": tie["citations"],
                    },
                }
            }
        )
    return {"nodes": drawn_nodes, "edges": drawn_edges}

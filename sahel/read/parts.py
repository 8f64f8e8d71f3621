"""What the history of an object includes besides its own row and its citations, read from
the public declarations (the projections), so that the editors' history and the public one
agree on what belongs to an object:

- its *children*: the rows its projection lists (an actor's names and identifiers, an
  event's participants), which it owns (they are deleted with it);
- its *dependents*: the claims of other resources that refer to it and are public only
  while it is (`visibility_requires`: a tie needs both its actors), which it does not own
  (a tie is a claim between two actors).
"""

from dataclasses import dataclass

from sahel.read.resources import resources


@dataclass(frozen=True)
class Part:
    name: str  # "names", "identifiers", "affiliations"
    model: type
    fks: tuple[str, ...]  # foreign keys of `model` to the object
    owned: bool  # a child (reverted with the object), or a dependent claim of its own


def parts_of(model) -> list[Part]:
    """The parts of `model`'s objects, children first, in the declarations' order."""
    found = []
    by_model = {resource.model: resource for resource in resources().values()}
    resource = by_model.get(model)
    if resource is not None:
        for name, child in resource.projection.children.items():
            found.append(Part(name, child.projection.model, (child.fk,), owned=True))
    for name, other in resources().items():
        fks = tuple(
            ref_name
            for ref_name, ref in other.projection.refs.items()
            if ref.model is model and ref_name in other.model.visibility_requires
        )
        if fks:
            found.append(Part(name, other.model, fks, owned=False))
    return found

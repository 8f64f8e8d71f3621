"""GraphQL queries shared by the contract and execution tests (nested lists at every
level, with variables)."""

NESTED = """query($first: Int!) { actors(first: $first) { totalCount nodes {
  name names { name }
  affiliationsAsSubject { roleTitle type { label }
    object { name citations { quote source { title } } }
    citations { quote source { title } } } } } }"""

EVENTS = """query($first: Int!) { events(first: $first) { nodes { title place { name }
  participants { role { label } actor { name } citations { source { title } } } } } }"""

SEARCH = """query($first: Int!) { search(text: "abu", first: $first) { nodes {
  name affiliationsAsObject { subject { name } } } } }"""

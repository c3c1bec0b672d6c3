"""Strawberry types of the GraphQL schema, one module per area."""

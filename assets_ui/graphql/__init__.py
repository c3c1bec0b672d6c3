"""The GraphQL API: schema, resolvers, loaders and error codes (SPEC §7)."""

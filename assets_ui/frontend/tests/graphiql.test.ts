import { describe, expect, it } from 'vitest';
import { ideParameters, withParameter } from '../src/graphiql/parameters';

describe('GraphiQL URL fragment', () => {
  it('reads the document and variables from the fragment', () => {
    const hash = '#' + new URLSearchParams({ query: '{ assets { key } }', variables: '{"a":1}' }).toString();
    expect(ideParameters(hash)).toEqual({ query: '{ assets { key } }', variables: '{"a":1}' });
    expect(ideParameters('')).toEqual({ query: undefined, variables: undefined });
  });

  it('sets and removes one parameter, keeping the others', () => {
    const one = withParameter('', 'query', '{ runs { runs { id } } }');
    expect(ideParameters(one).query).toBe('{ runs { runs { id } } }');
    const two = withParameter(one, 'variables', '{}');
    expect(ideParameters(two)).toEqual({ query: '{ runs { runs { id } } }', variables: '{}' });
    expect(withParameter(withParameter(two, 'variables', ''), 'query', '')).toBe('');
  });
});

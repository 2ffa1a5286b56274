// What the API accepts, read from its own OpenAPI document (/openapi.json, fetched once): forms take
// their limits (required, maximum lengths, number ranges) from it instead of repeating them.

import * as api from './api.js';

let documentPromise = null;

function openapi() {
  if (!documentPromise) {
    documentPromise = api.get('/openapi.json', { auth: false }).catch((error) => {
      documentPromise = null;
      throw error;
    });
  }
  return documentPromise;
}

function resolve(document, schema) {
  const ref = schema?.$ref;
  if (!ref) return schema || {};
  return ref.replace(/^#\//, '').split('/').reduce((node, key) => node?.[key], document) || {};
}

/** The branch of a property that describes a value (not the "" / null that clears it). */
function valueBranch(property) {
  const branches = property.anyOf || property.oneOf;
  if (!branches) return property;
  return branches.find((branch) => branch.type && branch.type !== 'null') || property;
}

/**
 * requestFields('post', '/events/{event_id}/tracks') -> {name: {required, maxLength, minimum, maximum}, ...}
 * for the JSON body of that operation; {} when the document cannot be loaded (the server still checks).
 */
export async function requestFields(method, pathTemplate) {
  let document;
  try {
    document = await openapi();
  } catch {
    return {};
  }
  const operation = document.paths?.[pathTemplate]?.[method.toLowerCase()];
  const body = resolve(document, operation?.requestBody?.content?.['application/json']?.schema);
  const required = new Set(body.required || []);
  return Object.fromEntries(Object.entries(body.properties || {}).map(([name, property]) => {
    const value = valueBranch(resolve(document, property));
    return [name, {
      required: required.has(name),
      maxLength: value.maxLength,
      minimum: value.minimum,
      maximum: value.maximum,
    }];
  }));
}

/** The attributes an input gets from a field's rules: required, maxlength, min, max. */
export function constraintAttributes(rules = {}) {
  return {
    required: rules.required || undefined,
    maxlength: rules.maxLength,
    min: rules.minimum,
    max: rules.maximum,
  };
}

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { OTLP_PROTO_FILES } from './embedded';

describe('embedded OTLP protos', () => {
  it('hold exactly the text of the vendored .proto files (regenerate with embed-protos.mjs)', () => {
    const names = Object.keys(OTLP_PROTO_FILES).sort();
    expect(names).toEqual([
      'opentelemetry/proto/collector/trace/v1/trace_service.proto',
      'opentelemetry/proto/common/v1/common.proto',
      'opentelemetry/proto/resource/v1/resource.proto',
      'opentelemetry/proto/trace/v1/trace.proto',
    ]);
    for (const name of names) {
      expect(OTLP_PROTO_FILES[name], name).toBe(readFileSync(new URL(name, import.meta.url), 'utf8'));
    }
  });
});

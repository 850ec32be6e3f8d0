"""A small OTLP/HTTP receiver of traces and metrics for tests/tests/traces.rs.

Listens on 127.0.0.1 (a free port, printed as the first stdout line), decodes each
POST /v1/traces body as an ExportTraceServiceRequest and each POST /v1/metrics body as an
ExportMetricsServiceRequest with the opentelemetry-proto definitions, answers 200 with the
empty response of that service, and prints one JSON line per span (ids in hex, name, kind,
attributes, the resource's attributes) and per metric data point (the metric's name, unit and
type, the point's attributes and value, count and sum). Runs until killed.
"""

import json
import sys
from http.server import BaseHTTPRequestHandler, HTTPServer

from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import (
    ExportMetricsServiceRequest,
    ExportMetricsServiceResponse,
)
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)

KINDS = {1: "internal", 2: "server", 3: "client", 4: "producer", 5: "consumer"}


def value_of(any_value):
    """An AnyValue as plain JSON (the scalar kinds the server sends)."""
    kind = any_value.WhichOneof("value")
    return getattr(any_value, kind) if kind else None


def attributes(key_values):
    return {kv.key: value_of(kv.value) for kv in key_values}


def print_spans(body, content_type):
    request = ExportTraceServiceRequest()
    request.ParseFromString(body)
    for resource_spans in request.resource_spans:
        resource = attributes(resource_spans.resource.attributes)
        for scope_spans in resource_spans.scope_spans:
            for span in scope_spans.spans:
                line = {
                    "signal": "span",
                    "trace_id": span.trace_id.hex(),
                    "span_id": span.span_id.hex(),
                    "parent_span_id": span.parent_span_id.hex(),
                    "name": span.name,
                    "kind": KINDS.get(span.kind, str(span.kind)),
                    "attributes": attributes(span.attributes),
                    "resource": resource,
                    "content_type": content_type,
                }
                print(json.dumps(line), flush=True)
    return ExportTraceServiceResponse()


def point_values(kind, point):
    """What a data point holds, by the kind of its metric."""
    if kind == "histogram":
        return {
            "count": point.count,
            "sum": point.sum,
            "bounds": list(point.explicit_bounds),
            "bucket_counts": list(point.bucket_counts),
        }
    return {"value": getattr(point, point.WhichOneof("value"))}


def print_metrics(body, content_type):
    request = ExportMetricsServiceRequest()
    request.ParseFromString(body)
    for resource_metrics in request.resource_metrics:
        resource = attributes(resource_metrics.resource.attributes)
        for scope_metrics in resource_metrics.scope_metrics:
            for metric in scope_metrics.metrics:
                kind = metric.WhichOneof("data")
                data = getattr(metric, kind)
                for point in data.data_points:
                    line = {
                        "signal": "metric",
                        "name": metric.name,
                        "unit": metric.unit,
                        "type": kind,
                        "monotonic": getattr(data, "is_monotonic", None),
                        "attributes": attributes(point.attributes),
                        "resource": resource,
                        "content_type": content_type,
                    }
                    line.update(point_values(kind, point))
                    print(json.dumps(line), flush=True)
    return ExportMetricsServiceResponse()


SIGNALS = {"/v1/traces": print_spans, "/v1/metrics": print_metrics}


class Receiver(BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802 (http.server's name)
        body = self.rfile.read(int(self.headers.get("content-length", "0")))
        signal = SIGNALS.get(self.path)
        if signal is None:
            self.send_response(404)
            self.end_headers()
            return
        answer = signal(body, self.headers.get("content-type")).SerializeToString()
        self.send_response(200)
        self.send_header("content-type", "application/x-protobuf")
        self.send_header("content-length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args):
        pass


def main():
    server = HTTPServer(("127.0.0.1", 0), Receiver)
    print(server.server_address[1], flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        sys.exit(0)


if __name__ == "__main__":
    main()

//! A metric declared once and kept twice: in the Prometheus registry `/metrics` serves, and,
//! when `--otlp-endpoint` is given, as the OpenTelemetry instrument of the same name that the
//! OTLP exporter sends. Each is declared by its OpenTelemetry name (`mcp.server.sessions`); the
//! Prometheus name is that name in Prometheus's spelling (`mcp_server_sessions`, a unit suffix
//! and `_total` added by the encoder).

use std::borrow::Cow;
use std::hash::Hash;

use opentelemetry::metrics::UpDownCounter;
use opentelemetry::metrics::{Counter as OtelCounter, Histogram as OtelHistogram, Meter};
use opentelemetry::KeyValue;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::{Family, MetricConstructor};
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::{Registry, Unit};

/// A label set as OpenTelemetry attributes: the same keys and values as its Prometheus labels.
pub(super) trait Attributes:
    Clone + std::fmt::Debug + Hash + Eq + EncodeLabelSet + Send + Sync + 'static
{
    fn attributes(&self) -> Vec<KeyValue>;
}

/// A metric without labels.
pub(super) type NoLabels = [(&'static str, &'static str); 0];

impl Attributes for NoLabels {
    fn attributes(&self) -> Vec<KeyValue> {
        Vec::new()
    }
}

/// A metric as it was declared: what the table of metrics in docs/team-endpoint.md lists.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct DeclaredMetric {
    /// Its OpenTelemetry name, as OTLP sends it.
    pub name: &'static str,
    /// Its name in a Prometheus scrape, with the unit suffix or `_total` its samples carry.
    pub prometheus: String,
    /// `gauge`, `counter` or `histogram`, as Prometheus calls it.
    pub kind: &'static str,
}

/// Declares metrics in both places.
pub(super) struct Registrar<'a> {
    pub(super) registry: &'a mut Registry,
    pub(super) meter: Option<&'a Meter>,
    pub(super) declared: Vec<DeclaredMetric>,
}

fn prometheus_name(name: &str) -> String {
    name.replace('.', "_")
}

impl Registrar<'_> {
    fn declare(&mut self, name: &'static str, suffix: &str, kind: &'static str) {
        self.declared.push(DeclaredMetric {
            name,
            prometheus: prometheus_name(name) + suffix,
            kind,
        });
    }

    /// A value that goes up and down (what is open or held now).
    pub(super) fn level(&mut self, name: &'static str, help: &'static str) -> Level {
        self.declare(name, "", "gauge");
        let gauge = Gauge::default();
        self.registry
            .register(prometheus_name(name), help, gauge.clone());
        let otlp = self.meter.map(|meter| {
            meter
                .i64_up_down_counter(name)
                .with_description(help)
                .build()
        });
        Level { gauge, otlp }
    }

    /// A count of events, by labels.
    pub(super) fn tally<L: Attributes>(
        &mut self,
        name: &'static str,
        help: &'static str,
    ) -> Tally<L> {
        self.declare(name, "_total", "counter");
        let family = Family::<L, Counter>::default();
        self.registry
            .register(prometheus_name(name), help, family.clone());
        let otlp = self
            .meter
            .map(|meter| meter.u64_counter(name).with_description(help).build());
        Tally { family, otlp }
    }

    /// Durations in seconds, by labels, in the given buckets.
    pub(super) fn timing<L: Attributes>(
        &mut self,
        name: &'static str,
        help: &'static str,
        buckets: &'static [f64],
    ) -> Timing<L> {
        self.declare(name, "_seconds", "histogram");
        let family = Family::new_with_constructor(Buckets(buckets));
        self.registry.register_with_unit(
            prometheus_name(name),
            help,
            Unit::Seconds,
            family.clone(),
        );
        let otlp = self.meter.map(|meter| {
            meter
                .f64_histogram(Cow::Borrowed(name))
                .with_unit("s")
                .with_description(help)
                .with_boundaries(buckets.to_vec())
                .build()
        });
        Timing { family, otlp }
    }
}

/// Makes the histograms of a [`Timing`] with its buckets.
#[derive(Clone)]
pub(super) struct Buckets(&'static [f64]);

impl MetricConstructor<Histogram> for Buckets {
    fn new_metric(&self) -> Histogram {
        Histogram::new(self.0.iter().copied())
    }
}

/// See [`Registrar::level`].
pub(super) struct Level {
    gauge: Gauge,
    otlp: Option<UpDownCounter<i64>>,
}

impl Level {
    pub(super) fn add(&self, by: i64) {
        self.gauge.inc_by(by);
        if let Some(otlp) = &self.otlp {
            otlp.add(by, &[]);
        }
    }
}

/// See [`Registrar::tally`].
pub(super) struct Tally<L: Attributes> {
    family: Family<L, Counter>,
    otlp: Option<OtelCounter<u64>>,
}

impl<L: Attributes> Tally<L> {
    pub(super) fn count(&self, labels: &L) {
        self.family.get_or_create(labels).inc();
        if let Some(otlp) = &self.otlp {
            otlp.add(1, &labels.attributes());
        }
    }
}

/// See [`Registrar::timing`].
pub(super) struct Timing<L: Attributes> {
    family: Family<L, Histogram, Buckets>,
    otlp: Option<OtelHistogram<f64>>,
}

impl<L: Attributes> Timing<L> {
    pub(super) fn record(&self, labels: &L, seconds: f64) {
        self.family.get_or_create(labels).observe(seconds);
        if let Some(otlp) = &self.otlp {
            otlp.record(seconds, &labels.attributes());
        }
    }
}

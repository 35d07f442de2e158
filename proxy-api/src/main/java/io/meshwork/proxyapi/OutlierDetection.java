package io.meshwork.proxyapi;

/** Passive ejection of failing endpoints, as App Mesh's OutlierDetection. */
public record OutlierDetection(long maxServerErrors, long intervalMillis, long baseEjectionMillis, int maxEjectionPercent) {
}

package io.meshwork.proxy.runtime;

import io.meshwork.proxy.routing.HttpMatcher;
import io.meshwork.proxy.routing.WeightedPicker;
import io.meshwork.proxyapi.Route;

/** A route ready to match and pick: the snapshot's route with its matcher and its picker. */
public record RouteRuntime(Route route, HttpMatcher matcher, WeightedPicker picker) {
    static RouteRuntime of(Route route) {
        return new RouteRuntime(route, HttpMatcher.of(route.http(), route.grpc()), new WeightedPicker(route.targets()));
    }
}

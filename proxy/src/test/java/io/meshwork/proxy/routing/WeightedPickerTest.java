package io.meshwork.proxy.routing;

import io.meshwork.proxy.routing.match.WeightedPicker;
import io.meshwork.proxyapi.WeightedTarget;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class WeightedPickerTest {
    @Test
    void everyCycleGivesEachTargetExactlyItsShareInterleaved() {
        WeightedPicker picker = new WeightedPicker(List.of(new WeightedTarget("v1", 80, 90), new WeightedTarget("v2", 80, 10)));
        Map<String, Integer> counts = new HashMap<>();
        int longestRun = 0;
        int run = 0;
        String last = "";
        for (int i = 0; i < 100; i++) {
            String c = picker.next().cluster();
            counts.merge(c, 1, Integer::sum);
            run = c.equals(last) ? run + 1 : 1;
            last = c;
            longestRun = Math.max(longestRun, run);
        }
        assertEquals(Map.of("v1", 90, "v2", 10), counts);
        assertTrue(longestRun < 20, "the canary is spread out, longest v1 run " + longestRun);
    }

    @Test
    void zeroWeightsAreNeverPickedAndNoWeightMeansNoTarget() {
        WeightedPicker picker = new WeightedPicker(List.of(new WeightedTarget("a", 1, 0), new WeightedTarget("b", 1, 3)));
        for (int i = 0; i < 30; i++) {
            assertEquals("b", picker.next().cluster());
        }
        assertNull(new WeightedPicker(List.of(new WeightedTarget("a", 1, 0))).next());
    }
}

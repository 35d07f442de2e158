package io.meshwork.eks.reconcile;

import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.meshwork.eks.resources.AppMeshKind;
import io.meshwork.eks.resources.MeshObject;
import io.meshwork.eks.resources.ObjectKey;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Kubernetes events on the objects the controller works on ({@code kubectl describe} shows them),
 * as controller-runtime's recorder writes them; the same event twice in a row is written once.
 * A Mesh is cluster-scoped: its events go to the {@code default} namespace, as Kubernetes puts them.
 */
public final class EventRecorder {
    private static final Logger LOG = LoggerFactory.getLogger(EventRecorder.class);

    private final KubernetesClient client;
    private final Clock clock;
    private final Map<ObjectKey, String> last = new ConcurrentHashMap<>();

    public EventRecorder(KubernetesClient client, Clock clock) {
        this.client = client;
        this.clock = clock;
    }

    public void normal(MeshObject object, String reason, String message) {
        record(object, "Normal", reason, message);
    }

    public void warning(MeshObject object, String reason, String message) {
        record(object, "Warning", reason, message);
    }

    private void record(MeshObject object, String type, String reason, String message) {
        String said = type + reason + message;
        if (said.equals(last.put(ObjectKey.of(object), said))) {
            return;
        }
        String namespace = object.namespace() == null ? "default" : object.namespace();
        String now = Instant.now(clock).truncatedTo(ChronoUnit.SECONDS).toString();
        try {
            client.v1().events().inNamespace(namespace).resource(new EventBuilder()
                    .withNewMetadata().withGenerateName(object.name() + ".").withNamespace(namespace).endMetadata()
                    .withInvolvedObject(new ObjectReferenceBuilder().withApiVersion(AppMeshKind.API_VERSION).withKind(object.kind().kind())
                            .withNamespace(object.namespace()).withName(object.name()).withUid(object.uid()).build())
                    .withType(type).withReason(reason).withMessage(message)
                    .withFirstTimestamp(now).withLastTimestamp(now).withCount(1)
                    .withNewSource("meshwork-controller", null)
                    .build()).create();
        } catch (RuntimeException e) {
            LOG.warn("could not record event {} on {}: {}", reason, object.describe(), e.getMessage());
        }
        if (type.equals("Warning")) {
            LOG.warn("{}: {}: {}", object.describe(), reason, message);
        } else {
            LOG.info("{}: {}: {}", object.describe(), reason, message);
        }
    }

    /** Forgets an object (deleted), so a new one of the same name gets its events. */
    public void forget(ObjectKey key) {
        last.remove(key);
    }
}

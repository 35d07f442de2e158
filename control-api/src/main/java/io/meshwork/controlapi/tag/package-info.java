/** Resource tags: TagResource, UntagResource, ListTagsForResource. */
package io.meshwork.controlapi.tag;

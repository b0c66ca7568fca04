/**
 * conntrack4j sync API.
 */
package io.conntrack4j.sync;

/* Version 1 of the example: blink the LED every 500 ms. */
#define BLINK_MS 500

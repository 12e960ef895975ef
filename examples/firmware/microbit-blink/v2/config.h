/* Version 2 of the example: blink the LED every 250 ms (the only change from version 1). */
#define BLINK_MS 250

/** One Nagios performance datum (`label=value[UOM];[warn];[crit];[min];[max]`). */
export interface PerfDatum {
  label: string;
  value: number;
  uom?: string;
  warn?: string;
  crit?: string;
  min?: number;
  max?: number;
}

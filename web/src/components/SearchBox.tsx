// A search field that hands its text to the page on every keystroke (the Runs filter, the
// overlay picker, the log search).

export function SearchBox(props: {
  testid: string;
  placeholder: string;
  value?: string; // omitted: the field keeps its own text
  onInput: (text: string) => void;
}) {
  return (
    <input
      type="search"
      data-testid={props.testid}
      placeholder={props.placeholder}
      value={props.value}
      onInput={(e) => props.onInput((e.target as HTMLInputElement).value)}
    />
  );
}
